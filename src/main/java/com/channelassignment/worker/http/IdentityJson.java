package com.channelassignment.worker.http;

import com.channelassignment.worker.application.Answer;
import com.channelassignment.worker.domain.ChannelType;
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
        // Every channel type has its field, null when none is held: the outcome's detail names them all.
        for (ChannelType type : ChannelType.values()) {
            Map<String, Object> channel = identity.channels().get(type);
            json.put(type.fieldName(), channel == null ? null : new LinkedHashMap<>(channel));
        }
        return json;
    }
}
