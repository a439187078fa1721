package com.channelassignment.worker.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ReleasedSchemasTest {

    @Test
    void readsEveryReleaseKeptUnderSchemasReleased() throws IOException {
        long releases;
        try (Stream<Path> directories = Files.list(Path.of("schemas/released"))) {
            releases = directories.filter(Files::isDirectory).count();
        }
        assertThat(releases).isPositive();
        assertThat(ReleasedSchemas.requests()).hasSize((int) releases);
        assertThat(ReleasedSchemas.outcomes()).hasSize((int) releases);
    }

    @Test
    void releasesAreNumberedWithoutGaps() throws IOException {
        try (Stream<Path> directories = Files.list(Path.of("schemas/released"))) {
            assertThat(directories.filter(Files::isDirectory).map(path -> path.getFileName().toString()).sorted())
                    .allMatch(name -> name.matches("v[1-9][0-9]*"))
                    .allMatch(name -> Integer.parseInt(name.substring(1)) == 1
                            || Files.isDirectory(Path.of("schemas/released/v" + (Integer.parseInt(name.substring(1)) - 1))));
        }
    }
}
