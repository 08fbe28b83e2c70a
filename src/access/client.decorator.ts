import { SetMetadata } from '@nestjs/common';

export const ACCEPTS_CLIENTS_KEY = 'gatehouse:acceptsClients';

/**
 * The route (or every route of the controller) also serves OAuth clients' access tokens (client
 * credentials grant; see ClientPrincipal). Without it a client token gets 403: routes about "me",
 * sessions, passwords, two-factor and keys never take one.
 */
export const AcceptsClients = () => SetMetadata(ACCEPTS_CLIENTS_KEY, true);
