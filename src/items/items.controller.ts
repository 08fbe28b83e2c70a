import { Controller, Delete, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { Body, Param, Query } from '../common/validation.js';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AcceptsApiKey } from '../access/api-key.decorator.js';
import { Scopes } from '../access/access.decorators.js';
import { CurrentPrincipal } from '../access/current-principal.decorator.js';
import { uuidParam } from '../common/http/uuid-param.js';
import type { Principal } from '../access/principal.js';
import { CreateItemDto } from './dto/create-item.dto.js';
import { ItemPageResponse } from './dto/item-page.response.js';
import { ItemResponse, toItemResponse } from './dto/item.response.js';
import { ListItemsQuery } from './dto/list-items.query.js';
import { UpdateItemDto } from './dto/update-item.dto.js';
import { itemActor, ItemsService } from './items.service.js';

const NOT_YOURS = 'No such item, or it belongs to someone else (without moderate:items)';

@ApiTags('items')
@Controller('items')
@AcceptsApiKey()
export class ItemsController {
  constructor(private readonly itemsService: ItemsService) {}

  @Get()
  @Scopes('read:items')
  @ApiOperation({ summary: 'Your items; everyone’s with the moderate:items scope' })
  @ApiOkResponse({ type: ItemPageResponse })
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListItemsQuery,
  ): Promise<ItemPageResponse> {
    const { items, total } = await this.itemsService.list(itemActor(principal), {
      page: query.page,
      limit: query.limit,
    });
    return { items: items.map(toItemResponse), total, page: query.page, limit: query.limit };
  }

  @Post()
  @Scopes('write:items')
  @ApiOperation({ summary: 'Create an item you own; HTML is stripped from its text' })
  @ApiCreatedResponse({ type: ItemResponse })
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateItemDto,
  ): Promise<ItemResponse> {
    const item = await this.itemsService.create(itemActor(principal), {
      name: body.name,
      description: body.description,
    });
    return toItemResponse(item);
  }

  @Get(':id')
  @Scopes('read:items')
  @ApiOperation({ summary: 'One of your items (anyone’s with moderate:items)' })
  @ApiOkResponse({ type: ItemResponse })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  async get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('item')) id: string,
  ): Promise<ItemResponse> {
    return toItemResponse(await this.itemsService.get(itemActor(principal), id));
  }

  @Patch(':id')
  @Scopes('write:items')
  @ApiOperation({ summary: 'Change an item’s name or description; HTML is stripped' })
  @ApiOkResponse({ type: ItemResponse })
  @ApiNotFoundResponse({ description: NOT_YOURS })
  async update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('item')) id: string,
    @Body() body: UpdateItemDto,
  ): Promise<ItemResponse> {
    const item = await this.itemsService.update(itemActor(principal), id, {
      name: body.name,
      description: body.description,
    });
    return toItemResponse(item);
  }

  @Delete(':id')
  @HttpCode(204)
  @Scopes('delete:items')
  @ApiOperation({ summary: 'Delete an item' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: NOT_YOURS })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuidParam('item')) id: string,
  ): Promise<void> {
    await this.itemsService.remove(itemActor(principal), id);
  }
}
