import { describe, expect, it } from "vitest";
import {
  ClosedError,
  InvalidHeadersError,
  PublishError,
  SubscriptionNotFoundError,
  TaskflowError,
  TopicNotFoundError,
} from "../core/errors.js";
import { publishFailure, redactUrl, topologyFailure } from "./provider-errors.js";

const amqpError = (code: number, message: string) => Object.assign(new Error(message), { code });

describe("rabbitmq error mapping", () => {
  it("maps a publish failure to the typed error a caller acts on", () => {
    expect(publishFailure("t", amqpError(404, "NOT_FOUND - no exchange 't'"))).toBeInstanceOf(TopicNotFoundError);
    expect(publishFailure("t", new RangeError("headers too big"))).toBeInstanceOf(InvalidHeadersError);
    const lost = publishFailure("t", new Error("channel closed"));
    expect(lost).toBeInstanceOf(PublishError);
    expect(lost.message).toBe(
      '[taskflow] [rabbitmq] cannot publish to topic "t"; the publish may be retried: channel closed',
    );
    const typed = new PublishError("rabbitmq", "no confirm");
    expect(publishFailure("t", typed)).toBe(typed);
    const closed = new ClosedError("rabbitmq", "publish");
    expect(publishFailure("t", closed)).toBe(closed);
    const unreachable = publishFailure("t", new TaskflowError("rabbitmq", "no connection to the broker within 10 ms"));
    expect(unreachable).toBeInstanceOf(PublishError);
    expect(unreachable.message).toMatch(/may be retried: \[taskflow\] \[rabbitmq\] no connection/);
  });

  it("maps topology failures by reply code", () => {
    expect(topologyFailure("check", amqpError(404, "no queue"), "t", "s")).toBeInstanceOf(SubscriptionNotFoundError);
    expect(topologyFailure("check", amqpError(404, "no exchange"), "t")).toBeInstanceOf(TopicNotFoundError);
    const mismatch = topologyFailure('declare the queue of subscription "s"', amqpError(406, "PRECONDITION_FAILED"));
    expect(mismatch).toBeInstanceOf(TaskflowError);
    expect(mismatch.message).toMatch(/exists with different settings: PRECONDITION_FAILED/);
  });

  it("hides the password of a URL", () => {
    expect(redactUrl("amqp://guest:secret@mq:5672/vhost")).toBe("amqp://guest:***@mq:5672/vhost");
    expect(redactUrl("not a url")).not.toContain("not a url");
  });
});
