package io.orchiddb.cli;

import io.orchiddb.client.OrchidClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code orchiddb repl}: an interactive shell against any router, with line editing and history
 * (JLine) on a terminal; reads plain lines when input is piped (scripts, tests).
 */
@Command(name = "repl", mixinStandardHelpOptions = true, description = "Interactive shell: GET, PUT, DELETE, SCAN, STATUS.")
final class ReplCommand implements Callable<Integer> {
  @Mixin
  ClientOptions options;

  @Override
  public Integer call() throws Exception {
    try (OrchidClient client = options.connect()) {
      Repl repl = new Repl(client);
      if (System.console() == null) {
        return piped(repl, System.out);
      }
      return interactive(repl);
    }
  }

  private static int piped(Repl repl, PrintStream out) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      Repl.Result r = repl.execute(line);
      if (!r.output().isEmpty()) {
        out.println(r.output());
        out.flush();
      }
      if (r.exit()) {
        break;
      }
    }
    return 0;
  }

  private int interactive(Repl repl) throws Exception {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      LineReader reader = LineReaderBuilder.builder().terminal(terminal)
          .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".orchiddb_history"))
          .build();
      terminal.writer().println("Connected to " + options.routers + ". Type help for the commands, exit to leave.");
      while (true) {
        String line;
        try {
          line = reader.readLine("orchiddb> ");
        } catch (UserInterruptException e) {
          continue; // Ctrl-C clears the line
        } catch (EndOfFileException e) {
          return 0; // Ctrl-D
        }
        Repl.Result r = repl.execute(line);
        if (!r.output().isEmpty()) {
          terminal.writer().println(r.output());
          terminal.flush();
        }
        if (r.exit()) {
          return 0;
        }
      }
    }
  }
}
