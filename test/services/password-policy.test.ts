// The password policy as a pure function (API.md: 400 WEAK_PASSWORD with the
// reason). test/http/password-policy.test.ts sends the same values through the API.
import assert from 'node:assert/strict';
import { createPasswordPolicy, normalizePassword } from '../../src/services/password-policy.ts';

const policy = createPasswordPolicy();
const EMAIL = 'ada.lovelace@example.com';

describe('password policy', function () {
  const refused: Array<[string, string, RegExp]> = [
    ['too short', 'abc123!', /at least 8/],
    ['whitespace only', ' \t  \u3000   ', /only spaces/],
    ['one repeated character', 'zzzzzzzzzzzz', /one character repeated/],
    ['one repeated emoji', '🔑🔑🔑🔑🔑🔑🔑🔑', /one character repeated/],
    ['a common password', 'iloveyou', /too common/],
    ['a common password in capitals', 'PASSWORD', /too common/],
    ['a blocklist word with digits appended', 'password12345678', /common word with digits or symbols/],
    ['a blocklist word with a year appended', 'Summer2025', /common word with digits or symbols/],
    ['a blocklist word with symbols around it', '!!Dragon2025??', /common word with digits or symbols/],
    ['the email address', 'Ada.Lovelace@Example.com', /email address/],
    ['the email local part', 'ada.lovelace', /email address or its name part/],
    ['the email local part with digits', 'Ada.Lovelace1815', /email address or its name part/],
    ['the service name', 'Gatehouse', /name of this service/],
    ['the service name with digits', 'gatehouse2025!', /name of this service/],
    ['full-width letters that NFKC turns into a common password', 'ｐａｓｓｗｏｒｄ', /too common/],
  ];
  for (const [name, password, reason] of refused) {
    it(`refuses ${name}`, function () {
      assert.match(policy.weakness(password, EMAIL) ?? 'accepted', reason);
    });
  }

  const accepted: Array<[string, string]> = [
    ['a passphrase', 'correct horse battery staple'],
    ['an unrelated word with digits, long enough', 'quixotic-lantern-4821'],
    ['a short common word with digits (too many to refuse)', 'cat83920174'],
    ['accents in any normal form', 'Crème brûlée à l\u0027école'.normalize('NFD')],
  ];
  for (const [name, password] of accepted) {
    it(`accepts ${name}`, function () {
      assert.equal(policy.weakness(password, EMAIL), undefined);
    });
  }

  it('counts length on the NFKC form, in code points', function () {
    // Eight decomposed "é" are 16 code units, 8 characters once normalised.
    assert.equal(policy.weakness('e\u0301'.repeat(7) + 'x', undefined), undefined);
    assert.match(policy.weakness('e\u0301'.repeat(3) + 'xyz', undefined) ?? '', /at least 8/);
  });

  it('takes PASSWORD_MIN_LENGTH as the floor (NIST: 15 when the password is the only factor)', function () {
    const strict = createPasswordPolicy({ minLength: 15 });
    assert.match(strict.weakness('quixotic-lamp', undefined) ?? '', /at least 15/);
    assert.equal(strict.weakness('quixotic-lantern-4821', undefined), undefined);
  });

  it('normalises NFC and NFD to the same string', function () {
    assert.equal(normalizePassword('caf\u00e9-au-lait'), normalizePassword('cafe\u0301-au-lait'));
  });
});
