// The upstream's shop open API, one method per route of seed 000 that upstream mode forwards.
// Every call carries this server's credential; a 401 is answered by one refresh (shared by every
// caller that saw it) and one retry. Every shop in an answer is recorded in the mirror.
import { z } from 'zod';
import {
  agentSeatSchema,
  bindingDataSchema,
  onboardDataSchema,
  shopSchema,
  springPage,
  type OnboardRequest,
  type SeatCreateRequest,
  type SeatDeleteRequest,
  type SeatUpdateRequest,
  type ShopUpdateRequest,
  type VipLevelRequest,
} from '../../../shared/api/index.ts';
import { exchange, isUnauthorized, UpstreamError, type UpstreamRequest, type UpstreamTransport } from './client.ts';
import type { UpstreamCredential } from './credential.ts';
import type { BindingMirror } from './mirror.ts';

const seatPageSchema = springPage(agentSeatSchema);
const seatListSchema = z.array(agentSeatSchema);
const trueSchema = z.literal(true);

export class UpstreamOpenApi {
  constructor(
    private readonly transport: UpstreamTransport,
    private readonly credential: UpstreamCredential,
    readonly mirror: BindingMirror,
  ) {}

  private async call<T extends z.ZodType>(req: UpstreamRequest, schema: T): Promise<z.infer<T>> {
    const token = await this.credential.accessToken();
    try {
      return await exchange(this.transport, req, schema, token);
    } catch (err) {
      if (!isUnauthorized(err)) throw err;
      // A second 401 is a 502 (upstream refuses a credential it has just issued).
      return exchange(this.transport, req, schema, await this.credential.afterUnauthorized(token));
    }
  }

  async onboard(req: OnboardRequest) {
    const data = await this.call({ method: 'POST', path: '/onboard', body: req, idempotent: true }, onboardDataSchema);
    await this.mirror.record(data.shopList);
    return data;
  }

  async binding(shopUid: string) {
    try {
      const data = await this.call({ method: 'GET', path: '/binding', query: { shopUid } }, bindingDataSchema);
      await this.mirror.record([data.shop]);
      return data;
    } catch (err) {
      if (err instanceof UpstreamError && err.code === 404) await this.mirror.forget(shopUid);
      throw err;
    }
  }

  async update(req: ShopUpdateRequest) {
    const shop = await this.call({ method: 'POST', path: '/update', body: req, idempotent: true }, shopSchema);
    await this.mirror.record([shop]);
    return shop;
  }

  async vipLevel(req: VipLevelRequest) {
    const shop = await this.call({ method: 'POST', path: '/shop/vip-level', body: req, idempotent: true }, shopSchema);
    await this.mirror.record([shop]);
    return shop;
  }

  querySeats(shopUid: string, pageNumber: number, pageSize: number) {
    return this.call({ method: 'POST', path: '/agent-seat/query', body: { shopUid, pageNumber, pageSize }, idempotent: true }, seatPageSchema);
  }

  seatDetail(shopUid: string, seatNo: string) {
    return this.call({ method: 'GET', path: '/agent-seat/detail', query: { shopUid, seatNo } }, agentSeatSchema);
  }

  createSeats(req: SeatCreateRequest) {
    return this.call({ method: 'POST', path: '/agent-seat/create', body: req }, seatListSchema);
  }

  updateSeats(req: SeatUpdateRequest) {
    return this.call({ method: 'POST', path: '/agent-seat/update', body: req, idempotent: true }, seatListSchema);
  }

  deleteSeats(req: SeatDeleteRequest): Promise<true> {
    return this.call({ method: 'POST', path: '/agent-seat/delete', body: req }, trueSchema);
  }
}
