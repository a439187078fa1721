package com.channelassignment.worker.http;

import com.channelassignment.worker.application.Answer;
import java.util.LinkedHashMap;
import java.util.Map;

/** The identity detail in the API's snake_case JSON, field for field as the outcome carries it. */
final class IdentityJson {

    private IdentityJson() {
    }

    static Map<String, Object> of(Answer.IdentityDetail identity) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", identity.id());
        json.put("organization_id", identity.organizationId());
        json.put("agent_handle", identity.agentHandle());
        json.put("status", identity.status());
        json.put("created_at", identity.createdAt().toString());
        json.put("updated_at", identity.updatedAt().toString());
        json.put("mailbox", identity.mailbox() == null ? null : mailbox(identity.mailbox()));
        json.put("phone_number", identity.phoneNumber() == null ? null : phoneNumber(identity.phoneNumber()));
        return json;
    }

    private static Map<String, Object> mailbox(Answer.MailboxDetail mailbox) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", mailbox.id());
        json.put("email_address", mailbox.emailAddress());
        json.put("display_name", mailbox.displayName());
        json.put("created_at", mailbox.createdAt().toString());
        json.put("updated_at", mailbox.updatedAt().toString());
        return json;
    }

    private static Map<String, Object> phoneNumber(Answer.PhoneNumberDetail phoneNumber) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", phoneNumber.id());
        json.put("number", phoneNumber.number());
        json.put("type", phoneNumber.type());
        json.put("created_at", phoneNumber.createdAt().toString());
        json.put("updated_at", phoneNumber.updatedAt().toString());
        return json;
    }
}
