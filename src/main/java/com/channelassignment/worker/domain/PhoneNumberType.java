package com.channelassignment.worker.domain;

/** Kind of phone number, as the HTTP API reports it. */
public enum PhoneNumberType {
    TOLL_FREE,
    LOCAL
}
