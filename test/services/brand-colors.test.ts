// ACCENT_COLOR arithmetic: WCAG contrast, and a palette that stays readable
// whatever colour the operator picks.
import assert from 'node:assert/strict';
import { brandPalette, contrast, NON_TEXT_CONTRAST, parseHexColor, SURFACES, TEXT_CONTRAST } from '../../src/services/brand-colors.ts';

const rgb = (hex: string) => parseHexColor(hex) ?? assert.fail(`not a colour: ${hex}`);

describe('brand colours', function () {
  it('parses 3- and 6-digit hex colours and nothing else', function () {
    assert.deepEqual(parseHexColor('#1F5FBF'), [0x1f, 0x5f, 0xbf]);
    assert.deepEqual(parseHexColor('#fff'), [255, 255, 255]);
    for (const bad of ['1f5fbf', '#1f5fb', '#ggg', 'red', 'rgb(0,0,0)', '#1f5fbf;}body{', '']) assert.equal(parseHexColor(bad), undefined, bad);
  });

  it('computes WCAG contrast ratios', function () {
    assert.equal(Math.round(contrast(rgb('#000'), rgb('#fff')) * 100) / 100, 21);
    assert.equal(contrast(rgb('#777'), rgb('#777')), 1);
    // The WebAIM reference value for #767676 on white.
    assert.equal(Math.round(contrast(rgb('#767676'), rgb('#fff')) * 100) / 100, 4.54);
  });

  it('keeps a readable accent as configured, with white labels on it', function () {
    const palette = brandPalette('#1f5fbf');
    assert.equal(palette.light.accent, '#1f5fbf');
    assert.equal(palette.light.accentText, '#ffffff');
    assert.equal(palette.adjusted, false);
  });

  for (const color of ['#ffff00', '#7fffd4', '#ffffff', '#000000', '#1f5fbf', '#e11d48', '#0f0', '#222831']) {
    it(`keeps ${color} at 4.5:1 for links and button labels and 3:1 for focus rings, in both schemes`, function () {
      const palette = brandPalette(color);
      for (const scheme of ['light', 'dark'] as const) {
        const { accent, accentText } = palette[scheme];
        const surface = SURFACES[scheme];
        assert.ok(contrast(rgb(accent), surface.card) >= TEXT_CONTRAST, `${scheme} link ${accent} on card`);
        assert.ok(contrast(rgb(accent), surface.page) >= NON_TEXT_CONTRAST, `${scheme} focus ring ${accent} on page`);
        assert.ok(contrast(rgb(accentText), rgb(accent)) >= TEXT_CONTRAST, `${scheme} label ${accentText} on ${accent}`);
      }
    });
  }

  it('darkens a colour too light to read on white, and says so', function () {
    const palette = brandPalette('#ffff00');
    assert.equal(palette.adjusted, true);
    assert.notEqual(palette.light.accent, '#ffff00');
    assert.equal(palette.configured, '#ffff00');
  });
});
