export * from "./cache.js";
export * from "./config.js";
export * from "./message-broker.js";
