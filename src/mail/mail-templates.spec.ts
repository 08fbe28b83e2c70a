import { MAIL_KINDS, renderMail } from './mail-templates.js';

describe('mail templates', () => {
  const appUrl = 'https://id.example.com';

  it('escape every value in the HTML part', () => {
    const mail = renderMail({
      kind: 'email_change_requested',
      params: { username: '<img src=x onerror=alert(1)>', new_email: '"><script>x</script>@e.com' },
      appUrl,
    });
    expect(mail.html).not.toContain('<img');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('show a link both as a link and as plain text; notices carry no token', () => {
    const token = 'A'.repeat(43);
    const reset = renderMail({
      kind: 'password_reset',
      params: { username: 'ann', minutes: 30 },
      appUrl,
      token,
    });
    const link = `${appUrl}/reset-password?token=${token}`;
    expect(reset.text).toContain(link);
    expect(reset.html).toContain(`<a href="${link}">`);
    expect(reset.html.split(link)).toHaveLength(3);
    for (const kind of MAIL_KINDS.filter(
      (k) => !['password_reset', 'verify_email', 'change_email'].includes(k),
    )) {
      const notice = renderMail({ kind, params: { username: 'ann' }, appUrl, token });
      expect(notice.text).not.toContain(token);
      expect(notice.html).not.toContain(token);
    }
  });
});
