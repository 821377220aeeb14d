/** The demo's knowledge articles: what a web shop's care team answers most, five published and one draft. */
import type { ArticleInput } from '../domain/knowledge/articles';

export const DEMO_ARTICLES: ArticleInput[] = [
  {
    title: 'Rücksendung: So schicken Sie einen Artikel zurück',
    topic: 'Rücksendung',
    language: 'de',
    state: 'published',
    body: [
      'Sie können jeden Artikel **innerhalb von 30 Tagen** nach Erhalt kostenlos zurücksenden.',
      '',
      '1. Melden Sie sich in Ihrem Kundenkonto an und öffnen Sie *Meine Bestellungen*.',
      '2. Wählen Sie **Rücksendung anmelden** und den Grund.',
      '3. Drucken Sie das Retourenlabel aus und geben Sie das Paket bei einer DHL-Filiale ab.',
      '',
      'Die Erstattung erfolgt auf das ursprüngliche Zahlungsmittel, meist 3–5 Werktage nach Eingang im Lager.',
    ].join('\n'),
  },
  {
    title: 'Lieferzeit und Sendungsverfolgung',
    topic: 'Lieferung',
    language: 'de',
    state: 'published',
    body: [
      'Bestellungen, die **werktags bis 14 Uhr** eingehen, verlassen unser Lager am selben Tag.',
      '',
      '- Standardversand innerhalb Deutschlands: 1–3 Werktage',
      '- Österreich und Schweiz: 3–5 Werktage',
      '',
      'Sobald das Paket unterwegs ist, erhalten Sie eine E-Mail mit dem Link zur Sendungsverfolgung. Zeigt sie',
      'länger als 5 Werktage keinen neuen Status, schreiben Sie uns mit Ihrer Bestellnummer.',
    ].join('\n'),
  },
  {
    title: 'Rechnung und Zahlungsarten',
    topic: 'Zahlung',
    language: 'de',
    state: 'published',
    body: [
      'Wir akzeptieren **PayPal, Kreditkarte, Kauf auf Rechnung** und Vorkasse.',
      '',
      'Ihre Rechnung liegt dem Paket nicht bei: Sie finden sie als PDF im Kundenkonto unter *Meine Bestellungen*.',
      'Beim Kauf auf Rechnung zahlen Sie innerhalb von 14 Tagen nach Versand; die Bankverbindung steht auf der Rechnung.',
    ].join('\n'),
  },
  {
    title: 'Passwort zurücksetzen',
    topic: 'Kundenkonto',
    language: 'de',
    state: 'published',
    body: [
      'Passwort vergessen? Klicken Sie auf der Anmeldeseite auf **Passwort vergessen** und geben Sie Ihre E-Mail-Adresse ein.',
      '',
      'Sie erhalten einen Link, der **eine Stunde** gültig ist. Kommt keine E-Mail an, sehen Sie bitte im Spam-Ordner nach.',
    ].join('\n'),
  },
  {
    title: 'Returns: how to send an item back',
    topic: 'Returns',
    language: 'en',
    state: 'published',
    body: [
      'You can return any item **within 30 days** of delivery free of charge.',
      '',
      '1. Sign in and open *My orders*.',
      '2. Choose **Register a return** and print the return label.',
      '3. Drop the parcel off at any DHL point.',
      '',
      'We refund to your original payment method, usually 3–5 business days after the parcel reaches our warehouse.',
    ].join('\n'),
  },
  {
    title: 'Gutschein einlösen',
    topic: 'Zahlung',
    language: 'de',
    state: 'draft',
    body: 'Geben Sie den Gutscheincode im Warenkorb im Feld **Gutscheincode** ein. _Entwurf: Regeln für Mindestbestellwert noch ergänzen._',
  },
];
