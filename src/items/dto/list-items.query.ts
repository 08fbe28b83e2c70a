import { PageQuery } from '../../common/dto/page.query.js';

export class ListItemsQuery extends PageQuery {}
