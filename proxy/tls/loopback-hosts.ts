/** The names a loopback serving certificate must carry so kubectl verifies any loopback spelling. */
export const LOOPBACK_HOSTS: string[] = ["127.0.0.1", "localhost", "::1"];
