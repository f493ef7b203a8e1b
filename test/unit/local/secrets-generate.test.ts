import { describe, expect, it } from 'vitest';
import { GenerateSecretError, generateSecretString } from '../../../local/secrets/generate.js';

const PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/;

describe('generateSecretString', () => {
  it('makes 32 characters with every type by default', () => {
    const secret = generateSecretString({});

    expect(secret).toHaveLength(32);
    expect(secret).toMatch(/[a-z]/);
    expect(secret).toMatch(/[A-Z]/);
    expect(secret).toMatch(/[0-9]/);
    expect(secret).toMatch(PUNCTUATION);
  });

  it('honours PasswordLength, ExcludePunctuation and ExcludeCharacters', () => {
    for (let i = 0; i < 50; i++) {
      const secret = generateSecretString({
        PasswordLength: 64,
        ExcludePunctuation: true,
        ExcludeCharacters: 'aA0',
      });
      expect(secret).toHaveLength(64);
      expect(secret).toMatch(/^[b-zB-Z1-9]+$/);
    }
  });

  it('draws only from the included types, with a space when asked', () => {
    const secret = generateSecretString({
      PasswordLength: 200,
      ExcludeLowercase: true,
      ExcludeUppercase: true,
      ExcludePunctuation: true,
      IncludeSpace: true,
    });

    expect(secret).toMatch(/^[0-9 ]+$/);
    expect(secret).toContain(' ');
  });

  it('puts the password under GenerateStringKey in SecretStringTemplate', () => {
    const secret = JSON.parse(
      generateSecretString({
        SecretStringTemplate: '{"username":"admin"}',
        GenerateStringKey: 'password',
        PasswordLength: 20,
      }),
    ) as { username: string; password: string };

    expect(secret.username).toBe('admin');
    expect(secret.password).toHaveLength(20);
  });

  it('differs from one call to the next', () => {
    expect(generateSecretString({})).not.toBe(generateSecretString({}));
  });

  it('refuses what Secrets Manager refuses, saying why', () => {
    expect(() => generateSecretString({ PasswordLength: 0 })).toThrow(GenerateSecretError);
    expect(() => generateSecretString({ PasswordLength: 3 })).toThrow(/shorter than the 4 character types/);
    expect(() =>
      generateSecretString({
        ExcludeLowercase: true,
        ExcludeUppercase: true,
        ExcludeNumbers: true,
        ExcludePunctuation: true,
      }),
    ).toThrow('every character is excluded');
    expect(() => generateSecretString({ GenerateStringKey: 'password' })).toThrow(/given together/);
    expect(() => generateSecretString({ SecretStringTemplate: '[1]', GenerateStringKey: 'k' })).toThrow(
      /JSON object/,
    );
  });
});
