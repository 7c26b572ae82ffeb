/*
 * The hosted payment page of a web card pay-in, as HTML: server-rendered, no script, labelled fields
 * and plain buttons, so that it works from a keyboard, a screen reader and a browser without
 * JavaScript. It never receives the card number or CVC back: a refused entry is shown empty.
 */
import type { CardWebDetails } from './card-web-model.js';
import { escapeHtml } from '../../lib/html.js';
import type { EntryField, EntryProblem, PaymentPage } from './card-web-service.js';

type Words = {
  title: string;
  amount: string;
  number: string;
  expiry: string;
  expiryHint: string;
  cvc: string;
  holder: string;
  pay: string;
  cancel: string;
  fix: string;
  problems: Record<EntryProblem, string>;
  challengeTitle: string;
  challenge: string;
  approve: string;
  refuse: string;
  succeeded: string;
  failed: string;
  expired: string;
  back: string;
  unknown: string;
};

const EN: Words = {
  title: 'Payment',
  amount: 'Amount to pay',
  number: 'Card number',
  expiry: 'Expiry date',
  expiryHint: 'MMYY, for example 1229',
  cvc: 'Security code (CVC)',
  holder: 'Cardholder name (optional)',
  pay: 'Pay',
  cancel: 'Cancel',
  fix: 'Please correct the card details below.',
  problems: {
    number: 'This card number is not valid.',
    brand: 'This card is not accepted for this payment ({type}).',
    expiry: 'Enter the expiry date as MMYY, for example 1229.',
    expired: 'This card has expired.',
    cvc: 'The security code is not valid.',
    holder: 'The cardholder name must be 2 to 255 characters long.',
  },
  challengeTitle: '3-D Secure authentication',
  challenge: 'Your bank asks you to confirm the payment of {amount} with the card {alias}.',
  approve: 'Approve',
  refuse: 'Refuse',
  succeeded: 'Your payment succeeded.',
  failed: 'Your payment failed: {reason}.',
  expired: 'The time to pay has run out.',
  back: 'Return to the merchant',
  unknown: 'This payment page does not exist.',
};

const FR: Words = {
  title: 'Paiement',
  amount: 'Montant à payer',
  number: 'Numéro de carte',
  expiry: "Date d'expiration",
  expiryHint: 'MMAA, par exemple 1229',
  cvc: 'Cryptogramme (CVC)',
  holder: 'Nom du titulaire (facultatif)',
  pay: 'Payer',
  cancel: 'Annuler',
  fix: 'Veuillez corriger les informations de la carte ci-dessous.',
  problems: {
    number: "Ce numéro de carte n'est pas valide.",
    brand: "Cette carte n'est pas acceptée pour ce paiement ({type}).",
    expiry: "Saisissez la date d'expiration au format MMAA, par exemple 1229.",
    expired: 'Cette carte a expiré.',
    cvc: "Le cryptogramme n'est pas valide.",
    holder: 'Le nom du titulaire doit compter de 2 à 255 caractères.',
  },
  challengeTitle: 'Authentification 3-D Secure',
  challenge: 'Votre banque vous demande de confirmer le paiement de {amount} avec la carte {alias}.',
  approve: 'Confirmer',
  refuse: 'Refuser',
  succeeded: 'Votre paiement a réussi.',
  failed: 'Votre paiement a échoué : {reason}.',
  expired: 'Le délai de paiement est dépassé.',
  back: 'Retourner chez le marchand',
  unknown: "Cette page de paiement n'existe pas.",
};

const DE: Words = {
  title: 'Zahlung',
  amount: 'Zu zahlender Betrag',
  number: 'Kartennummer',
  expiry: 'Ablaufdatum',
  expiryHint: 'MMJJ, zum Beispiel 1229',
  cvc: 'Prüfnummer (CVC)',
  holder: 'Name des Karteninhabers (optional)',
  pay: 'Bezahlen',
  cancel: 'Abbrechen',
  fix: 'Bitte korrigieren Sie die Kartendaten unten.',
  problems: {
    number: 'Diese Kartennummer ist ungültig.',
    brand: 'Diese Karte wird für diese Zahlung nicht akzeptiert ({type}).',
    expiry: 'Geben Sie das Ablaufdatum als MMJJ ein, zum Beispiel 1229.',
    expired: 'Diese Karte ist abgelaufen.',
    cvc: 'Die Prüfnummer ist ungültig.',
    holder: 'Der Name des Karteninhabers muss 2 bis 255 Zeichen lang sein.',
  },
  challengeTitle: '3-D-Secure-Authentifizierung',
  challenge: 'Ihre Bank bittet Sie, die Zahlung von {amount} mit der Karte {alias} zu bestätigen.',
  approve: 'Bestätigen',
  refuse: 'Ablehnen',
  succeeded: 'Ihre Zahlung war erfolgreich.',
  failed: 'Ihre Zahlung ist fehlgeschlagen: {reason}.',
  expired: 'Die Zahlungsfrist ist abgelaufen.',
  back: 'Zurück zum Händler',
  unknown: 'Diese Zahlungsseite existiert nicht.',
};

const ES: Words = {
  title: 'Pago',
  amount: 'Importe a pagar',
  number: 'Número de tarjeta',
  expiry: 'Fecha de caducidad',
  expiryHint: 'MMAA, por ejemplo 1229',
  cvc: 'Código de seguridad (CVC)',
  holder: 'Nombre del titular (opcional)',
  pay: 'Pagar',
  cancel: 'Cancelar',
  fix: 'Corrija los datos de la tarjeta a continuación.',
  problems: {
    number: 'Este número de tarjeta no es válido.',
    brand: 'Esta tarjeta no se acepta para este pago ({type}).',
    expiry: 'Introduzca la fecha de caducidad como MMAA, por ejemplo 1229.',
    expired: 'Esta tarjeta ha caducado.',
    cvc: 'El código de seguridad no es válido.',
    holder: 'El nombre del titular debe tener entre 2 y 255 caracteres.',
  },
  challengeTitle: 'Autenticación 3-D Secure',
  challenge: 'Su banco le pide que confirme el pago de {amount} con la tarjeta {alias}.',
  approve: 'Confirmar',
  refuse: 'Rechazar',
  succeeded: 'Su pago se ha realizado.',
  failed: 'Su pago ha fallado: {reason}.',
  expired: 'El plazo para pagar ha terminado.',
  back: 'Volver al comercio',
  unknown: 'Esta página de pago no existe.',
};

const WORDS: Partial<Record<string, Words>> = { EN, FR, DE, ES };

/** The page's words in the pay-in's Culture (English for the languages it has no words for). */
export function wordsFor(culture: string | undefined): { lang: string; words: Words } {
  const code = (culture ?? 'EN').toUpperCase();
  const words = WORDS[code];
  return words ? { lang: code.toLowerCase(), words } : { lang: 'en', words: EN };
}


const fill = (text: string, values: Record<string, string>) => text.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

/** Minor units shown as the payer's locale writes the currency (10,00 € in French). */
export function formatAmount(amount: number, currency: string, lang: string): string {
  try {
    const format = new Intl.NumberFormat(lang, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return `${amount} ${currency}`;
  }
}

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;line-height:1.4}' +
  'label{display:block;font-weight:600;margin-top:1rem}input{font-size:1.1rem;padding:.4rem;width:100%;box-sizing:border-box}' +
  'button{font-size:1.1rem;padding:.5rem 1rem;margin:1.2rem .5rem 0 0}.hint{font-size:.9rem;color:#444}' +
  '.err{color:#b00020;font-weight:600}[aria-invalid=true]{border:2px solid #b00020}' +
  ':focus-visible{outline:3px solid #1a5fb4;outline-offset:2px}.amount{font-size:1.3rem}';

export interface Html {
  status: number;
  html: string;
}

function layout(lang: string, title: string, body: string, status = 200): Html {
  return {
    status,
    html:
      `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8">` +
      '<meta name="viewport" content="width=device-width, initial-scale=1">' +
      `<title>${escapeHtml(title)} · Mangrove</title><style>${STYLE}</style></head>` +
      `<body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`,
  };
}

const FIELDS: Array<{ field: EntryField; name: string; id: string }> = [
  { field: 'number', name: 'cardNumber', id: 'card-number' },
  { field: 'expiry', name: 'cardExpirationDate', id: 'card-expiry' },
  { field: 'cvc', name: 'cardCvx', id: 'card-cvc' },
  { field: 'holderName', name: 'cardHolderName', id: 'card-holder' },
];

/**
 * The card form. After a refused entry, the problems are listed at the top (announced) and next to
 * their fields; only the expiry and the holder's name are filled in again, never the number or the CVC.
 */
export function formPage(
  page: PaymentPage,
  problems: Partial<Record<EntryField, EntryProblem>> = {},
  kept: { expiry?: string; holderName?: string } = {},
): Html {
  const d = page.payIn.details as CardWebDetails;
  const { lang, words } = wordsFor(d.culture);
  const amount = formatAmount(page.payIn.debitedAmount ?? 0, page.payIn.currency, lang);
  const message = (f: EntryField) => (problems[f] ? fill(words.problems[problems[f]!], { type: d.cardType }) : '');
  const firstBad = FIELDS.find((f) => problems[f.field]);
  const summary = firstBad
    ? `<div role="alert" id="problems"><p class="err">${escapeHtml(words.fix)}</p><ul>` +
      FIELDS.filter((f) => problems[f.field])
        .map((f) => `<li><a href="#${f.id}">${escapeHtml(message(f.field))}</a></li>`)
        .join('') +
      '</ul></div>'
    : '';
  const input = (f: (typeof FIELDS)[number], label: string, attrs: string, value = '', hint = '') => {
    const bad = problems[f.field];
    const described = [hint ? `${f.id}-hint` : '', bad ? `${f.id}-error` : ''].filter(Boolean).join(' ');
    return (
      `<label for="${f.id}">${escapeHtml(label)}</label>` +
      (hint ? `<span class="hint" id="${f.id}-hint">${escapeHtml(hint)}</span>` : '') +
      `<input id="${f.id}" name="${f.name}" ${attrs}${value ? ` value="${escapeHtml(value)}"` : ''}` +
      `${described ? ` aria-describedby="${described}"` : ''}${bad ? ' aria-invalid="true"' : ''}${f === firstBad ? ' autofocus' : ''}>` +
      (bad ? `<span class="err" id="${f.id}-error">${escapeHtml(message(f.field))}</span>` : '')
    );
  };
  const cvcRequired = d.cardType === 'MAESTRO' ? '' : ' required';
  const body =
    `<p class="amount">${escapeHtml(words.amount)}: <strong>${escapeHtml(amount)}</strong></p>` +
    summary +
    // No action: the form posts back to this page's own address.
    '<form method="post">' +
    input(FIELDS[0], words.number, 'type="text" inputmode="numeric" autocomplete="cc-number" maxlength="23" required') +
    input(FIELDS[1], words.expiry, 'type="text" inputmode="numeric" autocomplete="cc-exp" maxlength="5" required', kept.expiry, words.expiryHint) +
    input(FIELDS[2], words.cvc, `type="text" inputmode="numeric" autocomplete="cc-csc" maxlength="4"${cvcRequired}`) +
    input(FIELDS[3], words.holder, 'type="text" autocomplete="cc-name" maxlength="255"', kept.holderName) +
    `<div><button type="submit" name="action" value="pay">${escapeHtml(`${words.pay} ${amount}`)}</button>` +
    `<button type="submit" name="action" value="cancel" formnovalidate>${escapeHtml(words.cancel)}</button></div>` +
    '</form>';
  return layout(lang, words.title, body, Object.keys(problems).length ? 400 : 200);
}

/** The 3-D Secure step: the issuer's question about the masked card, Approve or Refuse. */
export function challengePage(page: PaymentPage): Html {
  const d = page.payIn.details as CardWebDetails;
  const { lang, words } = wordsFor(d.culture);
  const amount = formatAmount(page.payIn.debitedAmount ?? 0, page.payIn.currency, lang);
  const body =
    `<p>${escapeHtml(fill(words.challenge, { amount, alias: page.card?.alias ?? '' }))}</p>` +
    '<form method="post">' +
    `<button type="submit" name="action" value="approve" autofocus>${escapeHtml(words.approve)}</button>` +
    `<button type="submit" name="action" value="refuse">${escapeHtml(words.refuse)}</button>` +
    '</form>';
  return layout(lang, words.challengeTitle, body);
}

/** A decided page: how the pay-in ended, and the way back to the platform. */
export function resultPage(page: PaymentPage): Html {
  const d = page.payIn.details as CardWebDetails;
  const { lang, words } = wordsFor(d.culture);
  const t = page.payIn;
  const text =
    t.status === 'SUCCEEDED'
      ? words.succeeded
      : page.session.state === 'EXPIRED'
        ? words.expired
        : fill(words.failed, { reason: t.resultMessage ?? t.status });
  const body =
    `<p role="status">${escapeHtml(text)}</p>` + `<p><a href="${escapeHtml(page.session.returnUrl)}">${escapeHtml(words.back)}</a></p>`;
  return layout(lang, words.title, body);
}

export function unknownPage(): Html {
  return layout('en', EN.title, `<p class="err">${escapeHtml(EN.unknown)}</p>`, 404);
}
