import { type DetractorAlert, slackNotifier } from '@flash/app';
import { describe, expect, it } from 'vitest';

const alert: DetractorAlert = {
  key: 'survey_response#typeform#t1',
  raisedAt: '2026-11-23T10:00:00.000Z',
  responseId: 't1',
  source: 'typeform',
  score: 2,
  comment: 'Invoices are wrong',
  contact: 'anna@example.com',
  customerId: 'C1',
  submittedAt: '2026-11-23T09:59:00Z',
  atStake: {
    customerId: 'C1',
    customerName: 'Nordlicht GmbH',
    currency: 'EUR',
    billingThisYear: 123456.5,
    openPipelineValue: 40000,
    openDeals: 2,
    segment: 'Gold',
    channel: null,
    owner: 'U7',
  },
};

/** Captures what would be posted to the incoming webhook. */
const capture = (status = 200) => {
  const posts: { url: string; body: { text: string } }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    posts.push({ url, body: JSON.parse(String(init.body)) });
    return new Response(null, { status });
  }) as typeof fetch;
  return { posts, fetchImpl };
};

describe('detractor alert message', () => {
  it('says who answered what, and what is at stake with the customer', async () => {
    const { posts, fetchImpl } = capture();
    await slackNotifier('https://hooks.example/T1', fetchImpl)(alert);
    expect(posts).toEqual([
      {
        url: 'https://hooks.example/T1',
        body: {
          text:
            ':rotating_light: Detractor: score 2 (customer Nordlicht GmbH, C1) from anna@example.com: "Invoices are wrong"\n' +
            'At stake: billing this year 123,456.5 EUR, open pipeline 40,000 EUR, segment Gold, owner U7',
        },
      },
    ]);
  });

  it('escapes what respondents and sources wrote, so that no one can @channel the team or disguise a link', async () => {
    const { posts, fetchImpl } = capture();
    const hostile: DetractorAlert = {
      ...alert,
      comment: '<!channel> <https://evil.example|Reset your password>',
      contact: '<mailto:it@evil.example|it@bank.example> & <@U024BE7LH>',
      customerId: '<!here>',
      atStake: alert.atStake && {
        ...alert.atStake,
        customerName: '<!everyone>',
        segment: '<!subteam^S1|ops>',
        owner: 'A&B',
      },
    };
    await slackNotifier('https://hooks.example/T1', fetchImpl)(hostile);
    expect(posts[0]?.body.text).toBe(
      ':rotating_light: Detractor: score 2 (customer &lt;!everyone&gt;, &lt;!here&gt;) ' +
        'from &lt;mailto:it@evil.example|it@bank.example&gt; &amp; &lt;@U024BE7LH&gt;: ' +
        '"&lt;!channel&gt; &lt;https://evil.example|Reset your password&gt;"\n' +
        'At stake: billing this year 123,456.5 EUR, open pipeline 40,000 EUR, segment &lt;!subteam^S1|ops&gt;, owner A&amp;B',
    );
    // Slack reads control sequences only between < and >; none reaches it.
    expect(posts[0]?.body.text).not.toMatch(/[<>]/);
  });

  it('leaves the stake out without a customer, and fails on a non-2xx answer so the alert is retried', async () => {
    const { posts, fetchImpl } = capture(500);
    await expect(
      slackNotifier('https://hooks.example/T1', fetchImpl)({ ...alert, customerId: null, atStake: null }),
    ).rejects.toThrow('alert webhook answered 500');
    expect(posts[0]?.body.text).toBe(':rotating_light: Detractor: score 2 from anna@example.com: "Invoices are wrong"');
  });
});
