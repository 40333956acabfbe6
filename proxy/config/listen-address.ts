// `HOST:PORT` parsing for --listen, with the loopback rule: the gateway holds the developer's
// credentials, so it only listens where other machines cannot reach it unless told otherwise.
import { isIP } from "node:net";
import { CliError } from "../cli/cli-error.js";

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListenAddress(value: string, flag = "--listen"): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value.trim());
  if (!match) throw new CliError(`${flag} ${value}: expected HOST:PORT, e.g. 127.0.0.1:16443`);
  const host = (match[1] ?? match[2] ?? "").toLowerCase();
  const port = Number(match[3]);
  if (port > 65535) throw new CliError(`${flag} ${value}: port must be 0-65535`);
  return { host: host === "localhost" ? "127.0.0.1" : host, port };
}

export function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

export function assertListenAllowed(address: ListenAddress, allowRemote: boolean, flag = "--listen"): void {
  if (!isLoopbackHost(address.host) && !allowRemote) {
    throw new CliError(
      `${flag} ${address.host}: refusing a non-loopback address (anyone who can reach it could use your cluster credentials); pass --allow-remote to insist`,
    );
  }
}

export function formatHostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
