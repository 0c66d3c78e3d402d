package io.tocsin.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tocsin.Tocsin;
import io.tocsin.store.Labels;
import io.tocsin.store.MetricKind;
import io.tocsin.testing.TestServers;
import io.tocsin.util.MutableClock;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page in a real headless Chromium (Debian's chromium and chromium-driver, which
 * .ci/run installs): a firing alert shows on the overview and the monitor page draws its chart.
 * Screenshots go to target/ for humans.
 */
class StatusPageBrowserTest {
  private static final File CHROMIUM = new File("/usr/bin/chromium");
  private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
  private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  @TempDir
  Path dataDir;

  @Test
  void statusPage_showsTheFiringGroupAndItsChart() throws Exception {
    assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(), "chromium and chromium-driver are not installed");
    Files.createDirectories(dataDir.resolve("rules"));
    Files.writeString(dataDir.resolve("rules/r.yml"), MonitorsApiTest.RULES);
    MutableClock clock = new MutableClock(T0);
    try (Tocsin tocsin = Tocsin.start(TestServers.loopbackConfig(dataDir), clock, false)) {
      for (int m = 0; m < 4; m++) {
        int minute = m;
        tocsin.store().write("redis_up", MetricKind.GAUGE, Labels.of("node", "n1"),
            s -> s.append(T0.toEpochMilli() + minute * 60_000L + 10_000, minute < 1 ? 1 : 0));
      }
      for (int m = 1; m <= 4; m++) {
        clock.set(T0.plus(Duration.ofMinutes(m)));
        tocsin.evaluateMonitors();
      }

      ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
          .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1200,900");
      ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER)
          .usingAnyFreePort().build();
      ChromeDriver browser = new ChromeDriver(service, options);
      try {
        String base = "http://127.0.0.1:" + tocsin.httpPort();
        browser.get(base + "/");
        WebElement alerts = browser.findElement(By.id("alerts"));
        assertThat(alerts.getText()).contains("firing Shard is down {node=\"n1\"} 0");
        screenshot(browser, "status-page.png");

        browser.findElement(By.linkText("Shard is down")).click();
        assertThat(browser.getTitle()).isEqualTo("Shard is down · Tocsin");
        List<WebElement> charts = browser.findElements(By.cssSelector("svg.chart"));
        assertThat(charts).hasSize(1);
        assertThat(charts.get(0).findElements(By.cssSelector("path.values"))).hasSize(1);
        assertThat(charts.get(0).findElements(By.cssSelector("line.threshold"))).hasSize(1);
        assertThat(charts.get(0).getSize().getWidth()).isGreaterThan(300);
        assertThat(browser.findElement(By.cssSelector(".group h3")).getText()).startsWith("firing {node=\"n1\"}");
        screenshot(browser, "monitor-page.png");
      } finally {
        browser.quit();
      }
    }
  }

  private static void screenshot(ChromeDriver browser, String name) throws Exception {
    Path target = Path.of("target", name);
    Files.createDirectories(target.getParent());
    Files.move(browser.getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
  }
}
