/**
 * Loaded into every rehearsed service with NODE_OPTIONS=--import: a connection to one of the
 * listed cloud endpoints (`host:port` → local port, JSON in TASKFLOW_REHEARSAL_ROUTES) goes to
 * 127.0.0.1 on the stand-in's port instead. Only the socket's destination changes: the client
 * still names the cloud host, so TLS verifies the certificate against that name. Any other
 * destination is left alone. Plain JavaScript because the staged image runs plain Node.
 */
import net from "node:net";

const routes = new Map(Object.entries(JSON.parse(process.env.TASKFLOW_REHEARSAL_ROUTES ?? "{}")));
const connect = net.Socket.prototype.connect;

/** The local port for `host:port`, if it is a listed endpoint. */
const routed = (host, port) => routes.get(`${host ?? "localhost"}:${port}`);

net.Socket.prototype.connect = function (...args) {
  const first = args[0];
  // net.connect() passes its normalized [options, callback] array; tls.connect() and pg pass options or (port, host).
  const options = Array.isArray(first) ? first[0] : first;
  if (options !== null && typeof options === "object") {
    const local = routed(options.host, options.port);
    if (local !== undefined) {
      // http's agent passes the request's options, URL path included; a socket path it is not.
      const moved = { ...options, host: "127.0.0.1", port: local, path: undefined };
      if (Array.isArray(first)) first[0] = moved;
      else args[0] = moved;
    }
  } else if (typeof first === "number" || typeof first === "string") {
    const local = routed(typeof args[1] === "string" ? args[1] : undefined, first);
    if (local !== undefined) {
      args[0] = local;
      args[1] = "127.0.0.1";
    }
  }
  return connect.apply(this, args);
};
