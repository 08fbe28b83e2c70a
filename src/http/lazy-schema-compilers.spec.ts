import { fastify } from 'fastify';
import { lazySchemaCompilers } from './lazy-schema-compilers.js';

describe('lazySchemaCompilers', () => {
  // Built when the first route with a schema needs them: validation and serialisation work as with
  // Fastify's defaults.
  const app = fastify({ schemaController: { compilersFactory: lazySchemaCompilers() } });
  app.post(
    '/echo',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string', maxLength: 5 } },
        },
        response: { 200: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    },
    async (request) => ({ ...(request.body as object), secret: 'not in the schema' }),
  );
  let url: string;
  beforeAll(async () => {
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/echo`;
  });
  afterAll(() => app.close());

  const post = (body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('validates a body against the route schema', async () => {
    const response = await post({ name: 'too long' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toMatch(
      /must NOT have more than 5 characters/,
    );
  });

  it('serialises the reply through the response schema', async () => {
    const response = await post({ name: 'ada' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'ada' });
  });
});
