import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'gatehouse:isPublic';

/** The route needs no credential. Everything else requires an authenticated principal. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
