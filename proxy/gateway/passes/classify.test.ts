import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { classifyPass } from "./classify.js";
import { newGatewayRequest, type GatewayRequest } from "../gateway-request.js";

function requestFor(method: string, url: string): GatewayRequest {
  return newGatewayRequest({ method, url, headers: {} } as unknown as IncomingMessage, false, new AbortController().signal);
}

test("a resource request is classified and continues", () => {
  const request = requestFor("DELETE", "/api/v1/namespaces/prod");
  assert.equal(classifyPass().run(request), undefined);
  assert.equal(request.info?.kind, "resource");
  assert.equal(request.info?.kind === "resource" && request.info.verb, "delete");
});

test("an ambiguous path is answered 400 and left unclassified", () => {
  const request = requestFor("GET", "/api/v1/namespaces/default/pods/../secrets");
  const outcome = classifyPass().run(request) as { code: number; message: string };
  assert.equal(outcome.code, 400);
  assert.match(outcome.message, /^chaperone: /);
  assert.equal(request.info, null);
});

test("an unknown non-resource path is answered 403; discovery passes", () => {
  assert.equal((classifyPass().run(requestFor("GET", "/debug/pprof")) as { code: number }).code, 403);
  assert.equal(classifyPass().run(requestFor("GET", "/version")), undefined);
  assert.equal(classifyPass().run(requestFor("GET", "/apis/apps/v1")), undefined);
});
