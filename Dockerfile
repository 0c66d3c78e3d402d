# Tocsin: build with Maven, run on a JRE as an unprivileged user.
#   docker build -t tocsin .
#   docker run -p 4317:4317 -p 4318:4318 -p 8080:8080 tocsin
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/tocsin --shell /usr/sbin/nologin tocsin \
 && mkdir -p /var/lib/tocsin /etc/tocsin/rules \
 && chown tocsin /var/lib/tocsin
COPY --from=build /src/target/tocsin.jar /opt/tocsin/tocsin.jar
COPY deploy/tocsin.yml /etc/tocsin/tocsin.yml
COPY rules/redis.yml /etc/tocsin/rules/redis.yml
USER tocsin
WORKDIR /var/lib/tocsin
EXPOSE 4317 4318 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/-/healthy || exit 1
# JVM flags for resident memory (README "Sizing"): the serial collector keeps RSS close to the live
# heap (G1 holds far more committed), with a young generation of at most 32 MiB (ingest's garbage
# dies young; a larger one is all resident) and 10-30% of the heap free after a full collection;
# the heap may take 70% of the container's memory limit, the rest is for metaspace, compiled code,
# thread stacks and Netty's buffers. The JIT's scratch memory peaks while it compiles the hot code
# and C's allocator keeps what was freed: two allocator arenas instead of one per core's worth of
# threads, freed native memory handed back to the system every second, and hot methods inlined up
# to 150 bytecodes instead of 325 (the largest compilations of ingest took 40-56 MB at once).
# Replace the variables to change them (a heap in a larger box: -Xmx; G1 for short pauses on many
# cores: -XX:+UseG1GC).
ENV MALLOC_ARENA_MAX=2
ENV JDK_JAVA_OPTIONS="-XX:+UseSerialGC -XX:MaxNewSize=32m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:TrimNativeHeapInterval=1000 -XX:FreqInlineSize=150 -XX:MaxRAMPercentage=70"
ENTRYPOINT ["java", "-jar", "/opt/tocsin/tocsin.jar"]
CMD ["serve", "--config", "/etc/tocsin/tocsin.yml"]
