import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { InFlightRequests } from './in-flight-requests.js';

const response = () => new ServerResponse(new IncomingMessage(new Socket()));

describe('InFlightRequests', () => {
  it('counts responses from track to release, in any order', () => {
    const inFlight = new InFlightRequests();
    const [a, b, c, d] = [response(), response(), response(), response()];
    for (const res of [a, b, c, d]) inFlight.track(res);
    expect(inFlight.size).toBe(4);
    inFlight.release(b);
    inFlight.release(d);
    expect(inFlight.size).toBe(2);
    inFlight.release(a);
    inFlight.release(c);
    expect(inFlight.size).toBe(0);
  });

  it('counts every request begun, including those already released', () => {
    const inFlight = new InFlightRequests();
    const [a, b] = [response(), response()];
    expect(inFlight.started).toBe(0);
    inFlight.track(a);
    inFlight.release(a);
    inFlight.track(b);
    inFlight.track(b);
    expect(inFlight.started).toBe(2);
    expect(inFlight.size).toBe(1);
  });

  it('ignores a second release, a second track and a response it never tracked', () => {
    const inFlight = new InFlightRequests();
    const [a, b] = [response(), response()];
    inFlight.track(a);
    inFlight.track(a);
    inFlight.track(b);
    inFlight.release(a);
    inFlight.release(a);
    inFlight.release(response());
    expect(inFlight.size).toBe(1);
    inFlight.release(b);
    expect(inFlight.size).toBe(0);
  });

  it('keeps every other response tracked when one in the middle is released', async () => {
    const inFlight = new InFlightRequests();
    const all = Array.from({ length: 5 }, response);
    for (const res of all) inFlight.track(res);
    inFlight.release(all[1]);
    inFlight.startDraining();
    // Draining reaches exactly the responses still in flight.
    expect(all.map((res) => res.getHeader('connection'))).toEqual([
      'close',
      undefined,
      'close',
      'close',
      'close',
    ]);
    for (const res of [all[4], all[0], all[3]]) inFlight.release(res);
    const idle = inFlight.idle(1000);
    inFlight.release(all[2]);
    await expect(idle).resolves.toBe(true);
  });

  it('while draining, closes the connection of responses that begin, not of those already sent', () => {
    const inFlight = new InFlightRequests();
    const sent = response();
    inFlight.track(sent);
    Object.defineProperty(sent, 'headersSent', { value: true });
    inFlight.startDraining();
    const later = response();
    inFlight.track(later);
    expect(sent.getHeader('connection')).toBeUndefined();
    expect(later.getHeader('connection')).toBe('close');
  });

  it('idle() resolves false when requests are still in flight at the timeout', async () => {
    const inFlight = new InFlightRequests();
    inFlight.track(response());
    await expect(inFlight.idle(10)).resolves.toBe(false);
    await expect(new InFlightRequests().idle(10)).resolves.toBe(true);
  });
});
