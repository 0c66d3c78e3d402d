package io.tocsin;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * Guards docs/architecture.md over the compiled main classes: no package cycles, and every
 * import points down the pipeline as the diagram there draws it. A new dependency that breaks
 * this belongs in the document first, with the reason.
 */
class ArchitectureTest {
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("io.tocsin");

  /** Each package is a slice of its own, the root package ({@code Tocsin}) included. */
  @Test
  void packages_haveNoCycles() {
    ArchRule rule = slices().matching("io.(**)").should().beFreeOfCycles();
    rule.check(MAIN);
  }

  /**
   * Integrations know the notification stage, never each other. Routing matches alerts with the
   * matchers silences use: that one dependency between the stage's own parts is by design.
   */
  @Test
  void channelIntegrations_doNotDependOnEachOther() {
    ArchRule rule = slices().matching("io.tocsin.notify.(*)..").should().notDependOnEachOther()
        .ignoreDependency(resideInAPackage("io.tocsin.notify.route.."), resideInAPackage("io.tocsin.notify.silence.."));
    rule.check(MAIN);
  }

  @Test
  void dependencies_pointDownThePipeline() {
    ArchRule rule = layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("cli").definedBy("io.tocsin.cli..")
        .layer("demo").definedBy("io.tocsin.demo..")
        .layer("service").definedBy("io.tocsin")
        .layer("api").definedBy("io.tocsin.api..")
        .layer("ruletest").definedBy("io.tocsin.ruletest..")
        .layer("rulefiles").definedBy("io.tocsin.rulefiles..")
        .layer("cluster").definedBy("io.tocsin.cluster..")
        .layer("channels").definedBy("io.tocsin.channels..")
        .layer("integrations").definedBy("io.tocsin.notify.alertmanager..", "io.tocsin.notify.email..",
            "io.tocsin.notify.log..", "io.tocsin.notify.slack..", "io.tocsin.notify.telegram..",
            "io.tocsin.notify.webhook..", "io.tocsin.notify.pagerduty..", "io.tocsin.notify.opsgenie..",
            "io.tocsin.notify.teams..", "io.tocsin.notify.googlechat..", "io.tocsin.notify.mattermost..",
            "io.tocsin.notify.discord..")
        .layer("notify").definedBy("io.tocsin.notify")
        .layer("route").definedBy("io.tocsin.notify.route..")
        .layer("silence").definedBy("io.tocsin.notify.silence..")
        .layer("config").definedBy("io.tocsin.config..")
        .layer("datasource").definedBy("io.tocsin.datasource..")
        .layer("rules").definedBy("io.tocsin.rules..")
        .layer("history").definedBy("io.tocsin.history..")
        .layer("query").definedBy("io.tocsin.query..")
        .layer("ingest").definedBy("io.tocsin.ingest..")
        .layer("wal").definedBy("io.tocsin.store.wal..")
        .layer("store").definedBy("io.tocsin.store")
        .layer("yaml").definedBy("io.tocsin.yaml..")
        .layer("util").definedBy("io.tocsin.util..")

        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("demo").mayOnlyAccessLayers("service", "config", "yaml", "util")
        .whereLayer("service").mayOnlyAccessLayers("api", "cluster", "rulefiles", "channels", "notify", "silence", "config",
            "datasource", "rules", "history", "ingest", "wal", "store", "yaml", "util")
        .whereLayer("api").mayOnlyAccessLayers("cluster", "notify", "route", "silence", "config", "datasource", "rules", "history",
            "query", "store",
            "yaml", "util")
        .whereLayer("ruletest").mayOnlyAccessLayers("rulefiles", "rules", "ingest", "store", "yaml", "util")
        .whereLayer("rulefiles").mayOnlyAccessLayers("channels", "notify", "route", "rules", "store", "yaml", "util")
        .whereLayer("cluster").mayOnlyAccessLayers("notify", "silence", "config", "rules", "history", "store",
            "yaml", "util")
        .whereLayer("channels").mayOnlyAccessLayers("integrations", "notify", "yaml", "util")
        .whereLayer("integrations").mayOnlyAccessLayers("notify", "config", "rules", "yaml", "util")
        .whereLayer("notify").mayOnlyAccessLayers("route", "silence", "config", "rules", "history", "store", "yaml", "util")
        .whereLayer("route").mayOnlyAccessLayers("silence", "yaml", "util")
        .whereLayer("silence").mayOnlyAccessLayers("util")
        .whereLayer("config").mayOnlyAccessLayers("datasource", "ingest", "wal", "store", "yaml", "util")
        .whereLayer("datasource").mayOnlyAccessLayers("query", "store", "yaml", "util")
        .whereLayer("rules").mayOnlyAccessLayers("history", "query", "store", "yaml", "util")
        .whereLayer("history").mayOnlyAccessLayers("util")
        .whereLayer("query").mayOnlyAccessLayers("store", "util")
        .whereLayer("ingest").mayOnlyAccessLayers("store", "util")
        .whereLayer("wal").mayOnlyAccessLayers("store", "util")
        .whereLayer("store").mayOnlyAccessLayers("util")
        .whereLayer("yaml").mayOnlyAccessLayers("util")
        .whereLayer("util").mayNotAccessAnyLayer();
    rule.check(MAIN);
  }
}
