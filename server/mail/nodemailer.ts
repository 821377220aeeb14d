/**
 * nodemailer, loaded when the first mail is sent: a web process that sends none does not carry it. With the
 * e-mail connector's own libraries (imapflow, mailparser, sanitize-html; connectors/email/emailConnector.ts)
 * that is about 9 MB of heap a web process holds for nothing, and what a process holds after a full collection
 * sets how far V8 lets its heap grow before the next one (README, Benchmarks → Memory).
 */
export const nodemailer = (): typeof import('nodemailer') => require('nodemailer');
