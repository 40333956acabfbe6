import { test } from "node:test";
import assert from "node:assert/strict";
import { describeRequest, mediaType, parseExecQuery, summarizeRequest } from "./describe-request.js";
import { queryOf } from "../gateway/request-query.js";
import { classifyRequest, type RequestInfo } from "../gateway/request-info.js";

function info(method: string, url: string): RequestInfo {
  const classified = classifyRequest(method, url);
  if (classified.kind === "refused") throw new Error(classified.reason);
  return classified;
}

const identity = { agent: "claude", run: "r1", profile: "guarded" };

test("exec options come from the query: command repeated per argument, Kubernetes booleans for tty and stdin", () => {
  const url = "/api/v1/namespaces/dev/pods/web/exec?command=sh&command=-c&command=echo%20hi&container=app&stdin=true&stdout=true&tty=1";
  const request = describeRequest({ identity, info: info("POST", url), url });
  assert.deepEqual(request.exec, { command: ["sh", "-c", "echo hi"], container: "app", tty: true, stdin: true });
  assert.deepEqual(parseExecQuery(queryOf("?tty=false&stdin=0&command=ls"), "exec"), { command: ["ls"], container: "", tty: false, stdin: false });
  assert.deepEqual(parseExecQuery(queryOf("?stdin=TRUE&tty="), "exec"), { command: [], container: "", tty: true, stdin: true });
});

test("attach has exec options without a command; other verbs have none", () => {
  assert.deepEqual(parseExecQuery(queryOf("/x?command=ls&stdin=true"), "attach"), { command: [], container: "", tty: false, stdin: true });
  assert.equal(parseExecQuery(queryOf("/x?command=ls"), "portforward"), null);
  assert.equal(describeRequest({ identity, info: info("GET", "/api/v1/pods"), url: "/api/v1/pods" }).exec, null);
});

test("describeRequest carries identity, query, media type and body", () => {
  const url = "/apis/apps/v1/namespaces/dev/deployments/web?fieldManager=kubectl&dryRun=All";
  const body = { spec: { replicas: 2 } };
  const request = describeRequest({ identity, info: info("PATCH", url), url, contentType: "application/merge-patch+json; charset=utf-8", body });
  assert.deepEqual([request.agent, request.run, request.profile], ["claude", "r1", "guarded"]);
  assert.equal(request.query.get("fieldManager"), "kubectl");
  assert.equal(request.contentType, "application/merge-patch+json");
  assert.equal(request.object, body);
});

test("media types are normalized; a missing or empty header is null", () => {
  assert.equal(mediaType("Application/JSON-Patch+JSON"), "application/json-patch+json");
  assert.equal(mediaType(null), null);
  assert.equal(mediaType(undefined), null);
  assert.equal(mediaType(" ;charset=utf-8"), null);
});

test("the query is split as the classifier splits it", () => {
  assert.equal(queryOf("/x??watch=true").get("?watch"), "true");
  assert.equal(queryOf("/x").toString(), "");
});

test("requests are summarized for messages", () => {
  assert.equal(summarizeRequest(info("DELETE", "/api/v1/namespaces/dev/pods/web")), 'delete pods "web" in namespace "dev"');
  assert.equal(summarizeRequest(info("PATCH", "/apis/apps/v1/namespaces/dev/deployments/web/scale")), 'patch deployments.apps/scale "web" in namespace "dev"');
  assert.equal(summarizeRequest(info("DELETE", "/api/v1/namespaces/dev")), 'delete namespaces "dev"');
  assert.equal(summarizeRequest(info("GET", "/version")), "GET /version");
});
