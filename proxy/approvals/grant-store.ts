// Time-limited grants from "allow for N minutes": in memory, listed and revocable. A restart
// forgets them, which errs on the side of asking again.
import { randomBytes } from "node:crypto";
import type { GrantView, RuleView } from "../control/contract.js";
import { sameShape, type RequestShape } from "./approval-rules.js";

interface Grant {
  view: GrantView;
  shape: RequestShape;
  expiresAt: number;
}

export class GrantStore {
  private grants: Grant[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  private prune(): void {
    const now = this.now();
    this.grants = this.grants.filter((g) => g.expiresAt > now);
  }

  add(shape: RequestShape, rule: RuleView, minutes: number): GrantView {
    const createdAt = this.now();
    const expiresAt = createdAt + minutes * 60_000;
    const view: GrantView = {
      id: randomBytes(6).toString("hex"),
      agent: shape.agent,
      rule,
      createdAt: new Date(createdAt).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    };
    this.grants.push({ view, shape, expiresAt });
    return view;
  }

  /** A live grant for a request of this shape that the same rule asks about. */
  find(shape: RequestShape, rule: RuleView): GrantView | null {
    this.prune();
    const grant = this.grants.find(
      (g) => sameShape(g.shape, shape) && g.view.rule.profile === rule.profile && g.view.rule.name === rule.name && g.view.rule.source === rule.source,
    );
    return grant ? grant.view : null;
  }

  list(): GrantView[] {
    this.prune();
    return this.grants.map((g) => g.view);
  }

  revoke(id: string): GrantView | null {
    const grant = this.grants.find((g) => g.view.id === id);
    if (!grant) return null;
    this.grants = this.grants.filter((g) => g !== grant);
    return grant.view;
  }
}
