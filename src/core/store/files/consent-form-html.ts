/**
 * A consent form as one self-contained HTML page (no script, no remote resource: it opens and prints
 * offline). The code is an inline SVG of the same text the PDF carries.
 */
import QRCode from 'qrcode';
import type { ConsentFormText } from '../../domain/consent-form.js';
import type { FormToPrint } from '../../services/consent-form-service.js';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const box = (label: string, name: string, value: string) =>
  `<label class="tick"><input type="checkbox" name="${escape(name)}" value="${escape(value)}"> ${escape(label)}</label>`;

const STYLE = `
body { font: 11pt/1.4 system-ui, sans-serif; max-width: 48em; margin: 2em auto; color: #000; }
header { display: flex; justify-content: space-between; gap: 1em; }
.code { text-align: right; font: 9pt monospace; }
.code svg { width: 30mm; height: 30mm; }
fieldset { margin: 1em 0; border: 1px solid #000; }
.tick { display: block; margin: .4em 0; }
.tick input { width: 1.2em; height: 1.2em; vertical-align: middle; }
.line { border-bottom: 1px solid #000; height: 2em; margin: .3em 0 .8em; }
.line span { font-size: 9pt; }
@media print { body { margin: 0; } }
`;

export async function consentFormHtml(text: ConsentFormText, form: FormToPrint): Promise<string> {
  const svg = await QRCode.toString(form.code, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
  const p = form.participant;
  const filled = (label: string, value: string | null) =>
    `<div class="line"><span>${escape(label)}:</span> ${value ? escape(value) : ''}</div>`;
  const choice = (c: ConsentFormText['choices'][number]) =>
    `<fieldset class="choice" data-choice="${c.key}"><legend>${escape(c.question)}</legend>` +
    `${box(c.yes, c.key, 'yes')}${box(c.no, c.key, 'no')}</fieldset>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escape(text.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<div><h1>${escape(text.title)}</h1>
<p>${escape(text.controller)}</p></div>
<div class="code">${svg}
<div>shoot: <span id="shoot">${escape(text.shoot.id)}</span></div>
<div>participant: <span id="participant">${escape(p?.externalRef ?? '(blank form)')}</span></div>
<div>form version: <span id="version">${escape(text.version)}</span></div></div>
</header>
<p>${escape(text.intro)}</p>
${filled('Name', p?.displayName ?? null)}
${filled('Participant id', p?.externalRef ?? null)}
${text.choices.map(choice).join('\n')}
<fieldset class="scopes"><legend>${escape(text.scopesNote)}</legend>
${text.scopes.map((s) => box(s, 'scope', s)).join('\n')}
</fieldset>
${text.sections.map((s) => `<section><h2>${escape(s.heading)}</h2>${s.paragraphs.map((x) => `<p>${escape(x)}</p>`).join('')}</section>`).join('\n')}
<section class="signature"><h2>Signature</h2>
${text.signature.map((l) => filled(l, null)).join('\n')}
<p>${escape(text.guardian)}${p?.minor ? ` (${escape(p.displayName)} is recorded as a minor)` : ''}:</p>
${filled('Parent or guardian', p?.minor ? p.guardian : null)}
${filled('Signature of parent or guardian', null)}
</section>
</body>
</html>
`;
}
