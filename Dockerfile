# Build: the Maven image compiles and packages (tests need PostgreSQL/Redis/RabbitMQ: run scripts/test outside).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q -ntp dependency:go-offline
COPY proto proto
COPY src src
COPY conf conf
RUN mvn -B -q -ntp -DskipTests package

# Run: a JRE and the fat jar, as an unprivileged user.
FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app customer
WORKDIR /app
COPY --from=build /src/target/customer-service.jar /app/customer-service.jar
COPY conf /app/conf
RUN mkdir -p /app/data && chown -R customer /app
USER customer
EXPOSE 8007 50007
ENV JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
# The image is for real deployments: no embedded database, no generated secrets, no printed dev token.
# Without DB_URL (and DB_APP_PASSWORD, and a JWT key) the service refuses to start and says what is missing.
ENV ZERO_CONFIG=false
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 CMD curl -fsS http://127.0.0.1:8007/health || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/customer-service.jar"]
