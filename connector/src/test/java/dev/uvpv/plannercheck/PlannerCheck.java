package dev.uvpv.plannercheck;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.bridge.java.StreamStatementSet;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plans generated SQL on Flink 1.20's own planner, with no cluster: every statement is run on a
 * fresh {@link StreamTableEnvironment} (SET, CREATE) or added to one statement set (INSERT), and the
 * set is translated into a stream graph, so the Kafka and Redis factories and the JSON format check
 * their options exactly as a real submission does. Nothing is executed.
 *
 * <p>Input on stdin, repeated: a line {@code script <id> <n>}, then n statements, each a line
 * {@code <kind> <chars>} (kind: set | create | insert) followed by exactly that many characters of SQL.
 * Length framing means no SQL text, whatever it holds, can end a statement early. One JSON line per
 * script on stdout: {@code {"id":"...","ok":true}} or {@code {"id":"...","ok":false,"statement":i,"error":"..."}}
 * where statement is the index of the failing statement, or -1 for the statement set as a whole.
 */
public final class PlannerCheck {
    private static final Pattern SET = Pattern.compile("SET\\s+'((?:[^']|'')*)'\\s*=\\s*'((?:[^']|'')*)'", Pattern.DOTALL);

    private PlannerCheck() {}

    public static void main(String[] args) throws IOException {
        // Results own stdout; Flink's and log4j's console output goes to stderr.
        PrintStream results = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String header;
        while ((header = in.readLine()) != null) {
            if (header.isBlank()) {
                continue;
            }
            String[] h = header.split(" ");
            if (h.length != 3 || !h[0].equals("script")) {
                throw new IOException("expected 'script <id> <n>', got: " + header);
            }
            List<Statement> statements = new ArrayList<>();
            for (int i = Integer.parseInt(h[2]); i > 0; i--) {
                String[] s = in.readLine().split(" ");
                char[] sql = new char[Integer.parseInt(s[1])];
                int read = 0;
                while (read < sql.length) {
                    int n = in.read(sql, read, sql.length - read);
                    if (n < 0) {
                        throw new IOException("input ended inside a statement");
                    }
                    read += n;
                }
                in.readLine(); // the newline after the statement
                statements.add(new Statement(s[0], new String(sql)));
            }
            results.println(check(h[1], statements));
        }
    }

    static final class Statement {
        final String kind;
        final String sql;

        Statement(String kind, String sql) {
            this.kind = kind;
            this.sql = sql;
        }
    }

    /** Plans one script; the JSON line that says whether Flink accepts it. */
    static String check(String id, List<Statement> statements) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env, EnvironmentSettings.inStreamingMode());
        StreamStatementSet set = tEnv.createStatementSet();
        int inserts = 0;
        for (int i = 0; i < statements.size(); i++) {
            Statement s = statements.get(i);
            try {
                if (s.kind.equals("set")) {
                    // TableEnvironment.executeSql has no SET; the SQL Gateway sets the option like this.
                    Matcher m = SET.matcher(s.sql);
                    if (!m.matches()) {
                        throw new IllegalArgumentException("not a SET 'key' = 'value' statement");
                    }
                    tEnv.getConfig().set(m.group(1).replace("''", "'"), m.group(2).replace("''", "'"));
                } else if (s.kind.equals("insert")) {
                    set.addInsertSql(s.sql);
                    inserts++;
                } else {
                    tEnv.executeSql(s.sql);
                }
            } catch (Throwable e) {
                return failure(id, i, e);
            }
        }
        if (inserts == 0) {
            return failure(id, -1, new IllegalArgumentException("the script has no INSERT"));
        }
        try {
            set.attachAsDataStream();
            env.getStreamGraph();
        } catch (Throwable e) {
            return failure(id, -1, e);
        }
        return "{\"id\":" + json(id) + ",\"ok\":true}";
    }

    private static String failure(String id, int statement, Throwable e) {
        return "{\"id\":" + json(id) + ",\"ok\":false,\"statement\":" + statement + ",\"error\":" + json(messages(e)) + "}";
    }

    /** Every distinct message down the cause chain: Flink's outer message says where, the root says why. */
    static String messages(Throwable e) {
        List<String> parts = new ArrayList<>();
        for (Throwable t = e; t != null && parts.size() < 6; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getName() : t.getMessage().strip();
            if (parts.stream().noneMatch(p -> p.contains(m))) {
                parts.add(m);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return String.join("\nCaused by: ", parts);
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
