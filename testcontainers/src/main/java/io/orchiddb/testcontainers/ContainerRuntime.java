package io.orchiddb.testcontainers;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/**
 * Decides whether container tests can run here, and says so loudly when they cannot: they need a
 * Docker API (Docker, or Podman's API service) and the OrchidDB image. When something is missing
 * the test class is skipped (disabled, so every report counts it as skipped) with a message
 * naming what is missing and how to provide it, also printed on stderr. Under CI ({@code CI=true})
 * it fails instead, so a CI machine that lost its container runtime cannot go green by skipping.
 *
 * <p>Use: {@code @ExtendWith(ContainerRuntime.class)} on the class, and {@link #require} first in
 * its {@code @BeforeAll} (which fails there under CI). Needs JUnit Jupiter on the test class path
 * (this module declares it optional).
 */
public final class ContainerRuntime implements ExecutionCondition {
  /** The image under test: {@code -Dorchiddb.image=...}, default {@value OrchidCluster#DEFAULT_IMAGE_NAME}. */
  public static final DockerImageName IMAGE =
      DockerImageName.parse(System.getProperty("orchiddb.image", OrchidCluster.DEFAULT_IMAGE_NAME));

  private static final String PODMAN_HINT = """
      With Podman (Debian, as root): deploy/podman-setup.sh && deploy/podman-service.sh start, then
        export DOCKER_HOST=unix:///run/podman/podman.sock TESTCONTAINERS_RYUK_DISABLED=true \
      TESTCONTAINERS_HOST_OVERRIDE=localhost
      With Docker: start the Docker daemon.""";
  private static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));

  /** Computed once per JVM: null when everything is there, else what is missing. */
  private static String missing;
  private static boolean checked;

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String problem = missing();
    if (problem == null) {
      return ConditionEvaluationResult.enabled("container runtime and image " + IMAGE + " present");
    }
    if (CI) {
      // Run, so that require() in @BeforeAll fails the class with the message.
      return ConditionEvaluationResult.enabled("CI=true: a missing container runtime fails the tests");
    }
    return ConditionEvaluationResult.disabled(announce("SKIPPED", problem));
  }

  /** Returns when containers of {@link #IMAGE} can run; otherwise fails (under CI) or skips. */
  public static void require() {
    String problem = missing();
    if (problem != null) {
      Assertions.fail(announce(CI ? "FAILED (CI=true)" : "SKIPPED", problem));
    }
  }

  private static String announce(String outcome, String problem) {
    String message = outcome + ": the OrchidDB container tests cannot run: " + problem
        + (CI ? "" : "\n(under CI, CI=true, this fails instead of skipping)");
    String rule = "=".repeat(100);
    System.err.println("\n" + rule + "\n" + message + "\n" + rule + "\n");
    return message;
  }

  private static synchronized String missing() {
    if (!checked) {
      missing = check();
      checked = true;
    }
    return missing;
  }

  private static String check() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      String host = System.getenv("DOCKER_HOST");
      return "no container runtime: Testcontainers found no Docker API ("
          + (host == null ? "DOCKER_HOST is not set and no Docker socket answers" : "DOCKER_HOST=" + host + " does not answer")
          + ").\n" + PODMAN_HINT;
    }
    try {
      DockerClientFactory.lazyClient().inspectImageCmd(IMAGE.asCanonicalNameString()).exec();
    } catch (RuntimeException e) {
      return "no image " + IMAGE.asCanonicalNameString() + " (" + e.getClass().getSimpleName()
          + "). Build it: deploy/build-image.sh (without a registry, deploy/build-base-image.sh first).";
    }
    return null;
  }
}
