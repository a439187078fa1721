package com.channelassignment.worker.testing.services;

import static com.channelassignment.worker.domain.AssignmentRequests.anAssignment;
import static com.channelassignment.worker.domain.AssignmentRequests.anUnassignment;
import static org.assertj.core.api.Assertions.assertThat;

import com.channelassignment.worker.contract.AvroContract;
import com.channelassignment.worker.kafka.avro.ChannelAssignmentRequest;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

class WriterSchemaEncoderTest {

    private final AvroContract contract = new AvroContract();

    @Test
    void writesTodaysSchemaByteForByteAsTheContractDoes() throws IOException {
        Schema today = new Schema.Parser().parse(Path.of("schemas", "channel-assignment-request.avsc").toFile());
        WriterSchemaEncoder encoder = new WriterSchemaEncoder(today);

        for (ChannelAssignmentRequest request : new ChannelAssignmentRequest[] {anAssignment().buildWire(),
                anUnassignment().buildWire()}) {
            assertThat(encoder.encode(request)).isEqualTo(contract.encodeRequest(request));
        }
    }

    @Test
    void writesAnEarlierSchemaThatItsReadersDecode() throws IOException {
        Schema v1 = new Schema.Parser().parse(Path.of("schemas", "released", "v1", "channel-assignment-request.avsc")
                .toFile());
        ChannelAssignmentRequest request = anAssignment().buildWire();

        byte[] encoded = new WriterSchemaEncoder(v1).encode(request);

        GenericRecord read = new BinaryMessageDecoder<GenericRecord>(GenericData.get(), v1).decode(encoded);
        assertThat(read.get("request_id").toString()).isEqualTo(request.getRequestId());
        assertThat(read.get("channel_type").toString()).isEqualTo(request.getChannelType().name());
        assertThat(read.get("requested_at")).isEqualTo(request.getRequestedAt().toEpochMilli());
        assertThat(contract.decodeRequest(encoded).requestId()).isEqualTo(request.getRequestId());
    }
}
