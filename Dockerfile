# syntax=docker/dockerfile:1

# Build stage. The Maven wrapper pins the Maven version. Tests are skipped: they need a Kafka broker and PostgreSQL,
# and CI runs them (./mvnw verify). The cache mount keeps ~/.m2, and the Maven the wrapper downloads, between builds.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /build
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY schemas schemas
COPY openapi openapi
COPY src src
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -DskipTests package

# Runtime stage: a JRE and the Spring Boot jar, run by an unprivileged user. The user is numeric, so Kubernetes can
# check runAsNonRoot.
FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 worker \
 && useradd --system --uid 10001 --gid worker --no-create-home --home-dir /app worker
WORKDIR /app
COPY --from=build /build/target/channel-assignment-worker-*.jar /app/app.jar
USER 10001:10001
# 8080: the HTTP API and its probes (/livez, /readyz). 8081: the actuator (health with details, metrics).
EXPOSE 8080 8081
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
