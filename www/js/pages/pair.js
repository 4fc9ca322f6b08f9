// The source/destination form shared by Diff & Compare and Validate.
import { get } from '../api.js';
import { h, field, comboInput, catalogNames, note, clear } from '../ui.js';

export async function pairForm(ctx, { extra = [], buttons }) {
  const catalogs = await catalogNames((p) => get(p, { signal: ctx.signal }));
  const src = comboInput({ name: 'source_catalog', value: ctx.query.get('source') || '' }, catalogs);
  const dst = comboInput({ name: 'destination_catalog', value: ctx.query.get('dest') || '' }, catalogs);
  const msg = h('div', { 'aria-live': 'polite' });
  const form = h('form', { class: 'card', novalidate: true },
    h('div', { class: 'row' }, field('Source catalog', src.input), field('Destination catalog', dst.input)), src.list, dst.list,
    extra, msg, h('div', { class: 'actions' }, buttons));
  // Returns the pair, or null after pointing at what is missing.
  const values = () => {
    clear(msg);
    for (const i of [src.input, dst.input]) i.removeAttribute('aria-invalid');
    const s = src.input.value.trim();
    const d = dst.input.value.trim();
    const bad = !s ? src.input : !d ? dst.input : null;
    if (bad) {
      bad.setAttribute('aria-invalid', 'true');
      msg.append(note('error', bad === src.input ? 'Choose a source catalog' : 'Choose a destination catalog'));
      bad.focus();
      return null;
    }
    return { source_catalog: s, destination_catalog: d };
  };
  return { form, values, src: src.input, dst: dst.input };
}
