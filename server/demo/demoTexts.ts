/**
 * What the demo customers write and what the demo staff answer: everyday care cases for a web shop
 * and its app, in German and English. Placeholders: {order}, {first} (customer), {agent} (staff member).
 */
export type DemoLanguage = 'de' | 'en';
export type DemoChannelKey = 'shop' | 'app';

export type Scenario = {
  channel: DemoChannelKey;
  lang: DemoLanguage;
  openings: readonly string[];
  reply: string;
  /** Praise needs no follow-up: it gets a thank-you and is closed. */
  praise?: boolean;
};

export const DEMO_CHANNELS: Record<DemoChannelKey, string> = {
  shop: 'Webshop API',
  app: 'App Support API',
};

export const SCENARIOS: readonly Scenario[] = [
  {
    channel: 'shop',
    lang: 'de',
    openings: [
      'Hallo, ich warte seit einer Woche auf meine Bestellung {order}. Laut Sendungsverfolgung hängt sie seit Montag im Paketzentrum fest. Könnt ihr da mal nachschauen?',
      'Wo bleibt meine Bestellung {order}?? Bezahlt ist sie seit 5 Tagen 😤',
      'Moin! Meine Bestellung {order} sollte gestern kommen, ist aber nicht da. Was ist da los?',
    ],
    reply:
      'Hallo {first}, danke für deine Geduld! Ich habe mir die Bestellung {order} angesehen: Das Paket liegt beim Versanddienstleister und wird laut neuem Stand morgen zugestellt. Melde dich gern, falls es dann noch nicht da ist. Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'de',
    openings: [
      'Ihr habt Lieferung in 2–3 Werktagen versprochen, jetzt sind es schon 9. Das ist echt ärgerlich, das Geschenk war für den Geburtstag meiner Tochter 😞',
      'Warum dauert der Versand nach Österreich so lange? Bestellung {order}, seit 12 Tagen unterwegs.',
    ],
    reply:
      'Hallo {first}, das tut mir wirklich leid – da ist bei uns im Lager etwas schiefgelaufen. Ich habe die Bestellung {order} priorisiert und dir die Versandkosten erstattet. Die neue Sendungsnummer kommt heute per E-Mail. Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'de',
    openings: [
      'Ich habe den Mantel vor drei Wochen zurückgeschickt (Bestellung {order}) und noch immer kein Geld zurück. Wann wird das erstattet?',
      'Rückerstattung für {order} fehlt noch. Die Retoure ist laut DHL seit dem 3. bei euch angekommen.',
    ],
    reply:
      'Hallo {first}, deine Retoure ist bei uns eingegangen und geprüft. Die Erstattung über 89,95 € ist heute an deine Bank gegangen; je nach Bank dauert die Gutschrift 3–5 Werktage. Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'de',
    openings: [
      'Die Tasse aus meiner Bestellung {order} kam leider in Scherben an 💔 Ein Foto habe ich gemacht. Was jetzt?',
      'Paket {order} war komplett zerdrückt, der Inhalt ist kaputt. So macht Bestellen keinen Spaß.',
    ],
    reply:
      'Oh nein, {first}, das ist ärgerlich! Schick uns das Foto gern hier als Antwort – wir schicken dir sofort kostenlos Ersatz, zurückschicken musst du nichts. Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'de',
    openings: [
      'Kann ich die Schuhe aus {order} in Größe 43 statt 42 umtauschen? Die sind leider zu klein.',
      'Geht ein Umtausch auch nach 30 Tagen noch? Die Jacke (Bestellung {order}) passt nicht, ich war aber im Urlaub.',
    ],
    reply:
      'Hallo {first}, klar! Im Kundenkonto unter „Meine Bestellungen“ kannst du den Umtausch anstoßen und bekommst ein kostenloses Rücksendeetikett. Die neue Größe ist vorrätig und wir reservieren sie dir. Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'de',
    openings: [
      'Mir wurde die Bestellung {order} zweimal von der Kreditkarte abgebucht!! Bitte sofort korrigieren.',
      'Doppelte Abbuchung bei PayPal für {order}, 2× 64,90 €. Ich will mein Geld zurück.',
    ],
    reply:
      'Hallo {first}, danke für den Hinweis. Die zweite Buchung ist nur eine Reservierung und wird automatisch innerhalb von 7 Tagen freigegeben – abgebucht wird nur einmal. Wenn sie danach noch da ist, melde dich bitte, dann kümmern wir uns direkt. Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'de',
    openings: [
      'Euer Gutscheincode FRÜHLING15 funktioniert nicht, es kommt nur „ungültig“. Läuft der nicht bis Sonntag?',
      'Warum wird mein Rabatt im Warenkorb nicht abgezogen? Preis < 50 € & Versand > 4,95 € – so lohnt sich das nicht.',
    ],
    reply:
      'Hallo {first}, der Code gilt bis Sonntag, allerdings erst ab einem Warenwert von 50 €. Ich habe dir stattdessen einen 15-%-Code ohne Mindestwert ins Kundenkonto gelegt. Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'de',
    praise: true,
    openings: [
      'Einfach mal ein dickes Lob an euer Team! Die Bestellung kam nach einem Tag, super verpackt, ohne Plastik 👏🌱',
      'Ich habe <3 für euren Kundenservice. Hat alles reibungslos geklappt, danke!',
      'Schnelle Lieferung, tolle Qualität, nette Karte im Paket – gerne wieder 😊',
    ],
    reply: 'Vielen Dank, {first}, das freut uns riesig! Wir geben das Lob direkt an das Team im Lager weiter 😊 Viele Grüße, {agent}',
  },
  {
    channel: 'shop',
    lang: 'en',
    openings: [
      'Hi, my order {order} still says "processing" after 6 days. Can you tell me what\'s going on?',
      "Where is my parcel? Order {order}, tracking hasn't updated since Tuesday 📦",
    ],
    reply:
      'Hi {first}, sorry for the wait! Your order {order} left our warehouse yesterday and the carrier expects to deliver it within two working days. Best, {agent}',
  },
  {
    channel: 'shop',
    lang: 'en',
    openings: [
      'I returned the jacket from order {order} two weeks ago. When will I get my refund?',
      'Still no refund for {order} although you confirmed the return last week. Not impressed.',
    ],
    reply:
      'Hi {first}, we received your return and issued the refund of €74.50 today. It usually shows up on your statement within 3–5 working days. Best, {agent}',
  },
  {
    channel: 'shop',
    lang: 'en',
    openings: ['I made a typo in my delivery address on order {order} (it should be 12 Baker Street, not 21). Can you still change it?'],
    reply:
      "Hi {first}, caught it just in time – the parcel hadn't been handed to the carrier yet, so I've corrected the address to 12 Baker Street. Best, {agent}",
  },
  {
    channel: 'shop',
    lang: 'en',
    praise: true,
    openings: [
      'Just wanted to say your support team is brilliant. Problem solved in 10 minutes! ⭐⭐⭐⭐⭐',
      'Ordered on Sunday, arrived Monday. Impressive, thank you!',
    ],
    reply: "Thank you so much, {first}! We'll pass this on to the team 😊 Best, {agent}",
  },
  {
    channel: 'app',
    lang: 'de',
    openings: [
      'Ich komme seit heute Morgen nicht mehr in die App. Das Passwort ist definitiv richtig, es kommt immer „Anmeldung fehlgeschlagen“ 😡',
      'Login geht nicht mehr nach dem Update auf Version 4.2. Android 14, Samsung S23.',
    ],
    reply:
      'Hallo {first}, danke für die Details! Nach dem Update 4.2 müssen sich manche Geräte einmal neu anmelden. Bitte tippe auf „Passwort vergessen“ und setze es neu – danach klappt der Login wieder. Viele Grüße, {agent}',
  },
  {
    channel: 'app',
    lang: 'de',
    openings: [
      'Die App stürzt bei mir jedes Mal ab, wenn ich den Warenkorb öffne. iPhone 13, iOS 17.5.',
      'Seit dem letzten Update friert die App beim Bezahlen ein. Sehr nervig 🙄',
    ],
    reply:
      'Hallo {first}, danke für die Meldung! Der Fehler ist uns bekannt und mit Version 4.2.1 behoben, die seit heute im Store ist. Bitte aktualisiere die App einmal. Viele Grüße, {agent}',
  },
  {
    channel: 'app',
    lang: 'de',
    openings: ['Der Bestätigungscode per SMS kommt nicht an. Habe es jetzt 5× probiert, die Nummer ist richtig hinterlegt.'],
    reply:
      'Hallo {first}, manche Anbieter verzögern SMS gerade um einige Minuten. Deine Nummer ist korrekt hinterlegt. Bitte warte nach dem Anfordern 5 Minuten, bevor du einen neuen Code anforderst – sonst wird der alte ungültig. Viele Grüße, {agent}',
  },
  {
    channel: 'app',
    lang: 'de',
    openings: ['Wie kann ich mein Konto löschen? Ich finde in der App nichts dazu.', 'Bitte löscht alle meine Daten gemäß DSGVO. Danke.'],
    reply:
      'Hallo {first}, du findest das unter Profil → Einstellungen → Datenschutz → „Konto löschen“. Alternativ erledigen wir das für dich – eine kurze Bestätigung hier genügt. Viele Grüße, {agent}',
  },
  {
    channel: 'app',
    lang: 'de',
    praise: true,
    openings: ['Der neue Dunkelmodus ist großartig, endlich! Danke, dass ihr auf Feedback hört 🌙'],
    reply: 'Danke dir, {first}! Das Lob geht direkt an unser App-Team 💜 Viele Grüße, {agent}',
  },
  {
    channel: 'app',
    lang: 'en',
    openings: [
      'Can\'t log in to the app since this morning – it just says "Something went wrong". iPhone 15, latest version.',
      'Your app logs me out every few minutes. Android 13, Pixel 7.',
    ],
    reply:
      "Hi {first}, thanks for letting us know! We had a short outage of our login service this morning; it's fixed now. Could you force-close the app and try again? Best, {agent}",
  },
  {
    channel: 'app',
    lang: 'en',
    openings: ['The password reset email never arrives. I checked my spam folder too.'],
    reply:
      "Hi {first}, I checked our logs and your mail provider rejected the message. I've sent it again from a different address – it should arrive within a few minutes. Best, {agent}",
  },
  {
    channel: 'app',
    lang: 'en',
    openings: ["How do I cancel my premium subscription? I'm charged €4.99 monthly and don't use it anymore."],
    reply:
      "Hi {first}, I've cancelled your premium subscription as of today and refunded this month's €4.99. Sorry it wasn't easier to find in the app! Best, {agent}",
  },
  {
    channel: 'app',
    lang: 'en',
    praise: true,
    openings: ['The new dark mode is 🔥 Thanks for listening to feedback!'],
    reply: "Thanks a lot, {first}! We'll tell the app team 😊 Best, {agent}",
  },
];

/** The customer asks again before anyone answered. */
export const NUDGES: Record<DemoLanguage, readonly string[]> = {
  de: ['Hallo? Ist da jemand? 🙄', 'Kann sich bitte mal jemand melden? Ich warte seit gestern.', 'Gibt es schon Neuigkeiten?'],
  en: ['Hello? Anyone there?', 'Any update on this, please?', 'Still waiting for an answer…'],
};

/** The customer is happy with the answer. */
export const THANKS: Record<DemoLanguage, readonly string[]> = {
  de: ['Super, danke für die schnelle Antwort! 👍', 'Hat geklappt, vielen Dank!', 'Danke euch! 🙏'],
  en: ['Great, thanks!', 'That worked, thank you!', 'Cheers 👍'],
};

/** The customer is not done yet: this reopens the conversation. */
export const FOLLOW_UPS: Record<DemoLanguage, readonly string[]> = {
  de: [
    'Leider immer noch dasselbe Problem 😕',
    'Danke, aber eine Frage hätte ich noch: Kann ich auch per Rechnung zahlen?',
    'Das reicht mir nicht. Ich möchte bitte mit jemandem telefonieren.',
  ],
  en: ["Thanks, but it's still not working.", 'One more question: do you ship to Switzerland?', "That doesn't really help, sorry."],
};

export const CUSTOMER_NAMES: Record<DemoLanguage, { first: readonly string[]; last: readonly string[] }> = {
  de: {
    first: [
      'Jürgen',
      'Sophie',
      'Özlem',
      'Björn',
      'Lea',
      'Lukas',
      'Marie',
      'Günther',
      'Hannah',
      'Felix',
      'Ayşe',
      'Jörg',
      'Katharina',
      'Matthias',
      'Frauke',
      'Tobias',
      'Zoë',
      'Sören',
      'Emre',
      'Käthe',
    ],
    last: [
      'Müller',
      'Schäfer',
      'Weiß',
      'Yılmaz',
      'Krüger',
      'Hoffmann',
      'Groß',
      'Böhm',
      'Schröder',
      'Koç',
      'Neumann',
      'Wagner',
      'Fuchs',
      'Jäger',
      'Lorenz',
      'Öztürk',
    ],
  },
  en: {
    first: ['Emily', 'James', 'Olivia', 'Noah', 'Priya', 'Liam', 'Chloe', 'Daniel', 'Grace', 'Mohammed', 'Siobhan', 'Ethan'],
    last: ['Carter', 'Smith', "O'Brien", 'Patel', 'Nguyen', 'Walker', 'Hughes', 'Evans', 'Kowalski', 'Murphy'],
  },
};

export function fillTemplate(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => vars[key] ?? whole);
}
