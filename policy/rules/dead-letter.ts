import type { Rule } from "../rule.js";
import { at, json, label, list, ofType } from "../rule.js";
import { AWS, AZURE, GCP, K8S } from "./types.js";

/** Deliveries of one message before it is dead-lettered; above this a poison message loops for hours. */
export const MAX_DELIVERIES = 20;

/**
 * Every subscription bounds how often a message is delivered and then moves it to a
 * dead-letter destination that exists in the stack. On Pub/Sub the dead-letter topic also needs
 * a subscription, or what lands there is dropped.
 */
export const deadLetter: Rule = {
  name: "dead-letter-every-subscription",
  description: `Every subscription has a dead-letter destination and at most ${MAX_DELIVERIES} deliveries per message.`,
  severity: "high",
  enforcementLevel: "mandatory",
  types: {
    aws: [AWS.sqs, AWS.snsSubscription],
    gcp: [GCP.subscription, GCP.topic],
    kubernetes: [K8S.kafkaUser, K8S.kafkaTopic],
    azure: [AZURE.subscription],
  },
  remediationSteps:
    "Give each subscribed SQS queue a redrivePolicy (deadLetterTargetArn, maxReceiveCount) and each Pub/Sub subscription a deadLetterPolicy (deadLetterTopic, maxDeliveryAttempts), with a subscription on the dead-letter topic; give each Service Bus subscription maxDeliveryCount and deadLetteringOnMessageExpiration.",
  validateStack: ({ resources }, report) => {
    const queues = new Map(ofType(resources, AWS.sqs).map((q) => [String(q.props.arn), q]));
    for (const sub of ofType(resources, AWS.snsSubscription)) {
      if (sub.props.protocol !== "sqs") continue;
      const queue = queues.get(String(sub.props.endpoint));
      if (!queue) continue;
      const redrive = json(queue.props.redrivePolicy);
      const target = at(redrive, "deadLetterTargetArn");
      const count = Number(at(redrive, "maxReceiveCount"));
      if (typeof target !== "string" || !queues.has(target))
        report(`${label(queue)} (subscribed to a topic) has no dead-letter queue in the stack`, queue.urn);
      else if (!(count >= 1 && count <= MAX_DELIVERIES))
        report(
          `${label(queue)} has maxReceiveCount ${String(at(redrive, "maxReceiveCount"))}, not 1-${MAX_DELIVERIES}`,
          queue.urn,
        );
    }
    // Kafka has no broker-side dead letters: each consumer (a KafkaUser that reads a group) must be
    // allowed to write a dead-letter topic that exists. The delivery bound is the adapter's
    // maxAttempts from services/platform.ts, not a broker setting, so it is not visible here.
    const kafkaTopics = new Set(
      ofType(resources, K8S.kafkaTopic).map((t) =>
        String(at(t.props, "spec", "topicName") ?? at(t.props, "metadata", "name")),
      ),
    );
    for (const user of ofType(resources, K8S.kafkaUser)) {
      const acls = list(at(user.props, "spec", "authorization", "acls"));
      const consumes = acls.some(
        (a) => at(a, "resource", "type") === "group" && list(at(a, "operations")).includes("Read"),
      );
      if (!consumes) continue;
      const dlqs = acls
        .filter((a) => at(a, "resource", "type") === "topic" && list(at(a, "operations")).includes("Write"))
        .map((a) => String(at(a, "resource", "name")))
        .filter((name) => name.endsWith(".dlq"));
      if (dlqs.length === 0) report(`${label(user)} consumes without a dead-letter topic it may write`, user.urn);
      for (const dlq of dlqs)
        if (!kafkaTopics.has(dlq))
          report(`${label(user)} dead-letters to ${dlq}, which is no KafkaTopic of the stack`, user.urn);
    }
    // A Service Bus subscription's dead-letter queue is its own $DeadLetterQueue sub-queue, which
    // always exists; what the stack decides is the delivery bound and that expired messages go there.
    for (const sub of ofType(resources, AZURE.subscription)) {
      const count = Number(sub.props.maxDeliveryCount);
      if (!(count >= 1 && count <= MAX_DELIVERIES))
        report(
          `${label(sub)} has maxDeliveryCount ${String(sub.props.maxDeliveryCount ?? "unset")}, not 1-${MAX_DELIVERIES}`,
          sub.urn,
        );
      if (sub.props.deadLetteringOnMessageExpiration !== true)
        report(`${label(sub)} drops expired messages instead of dead-lettering them`, sub.urn);
    }
    const topicPath = (t: { props: Record<string, unknown> }) =>
      `projects/${String(t.props.project)}/topics/${String(t.props.name)}`;
    const topics = new Set(ofType(resources, GCP.topic).map(topicPath));
    const subscriptions = ofType(resources, GCP.subscription);
    const deadLetterTopics = new Set(
      subscriptions.map((s) => String(at(s.props, "deadLetterPolicy", "deadLetterTopic"))),
    );
    const drained = new Set(subscriptions.map((s) => String(s.props.topic)));
    for (const sub of subscriptions) {
      // The subscription that keeps a dead-letter topic's messages is where poison ends, not a consumer.
      if (deadLetterTopics.has(String(sub.props.topic))) continue;
      const policy = at(sub.props, "deadLetterPolicy");
      const target = at(policy, "deadLetterTopic");
      const attempts = Number(at(policy, "maxDeliveryAttempts"));
      if (typeof target !== "string" || !topics.has(target)) {
        report(`${label(sub)} has no dead-letter topic in the stack`, sub.urn);
        continue;
      }
      if (!(attempts >= 5 && attempts <= MAX_DELIVERIES))
        report(
          `${label(sub)} has maxDeliveryAttempts ${String(at(policy, "maxDeliveryAttempts"))}, not 5-${MAX_DELIVERIES} (Pub/Sub's minimum is 5)`,
          sub.urn,
        );
      if (!drained.has(target))
        report(
          `${label(sub)} dead-letters to ${target}, which has no subscription, so dead letters are dropped`,
          sub.urn,
        );
    }
  },
};
