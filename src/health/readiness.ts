import { Injectable } from '@nestjs/common';

/**
 * Whether this instance wants traffic. Once shutdown starts, readiness (`/health`, `/health/ready`)
 * answers 503 at once, before the listener closes, so load balancers and Kubernetes stop routing here
 * while requests still succeed. Liveness (`/health/live`) is unaffected.
 */
@Injectable()
export class Readiness {
  private stopping = false;

  get isStopping(): boolean {
    return this.stopping;
  }

  startStopping(): void {
    this.stopping = true;
  }
}
