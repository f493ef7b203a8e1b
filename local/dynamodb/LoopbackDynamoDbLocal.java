// Starts AWS's DynamoDB Local bound to 127.0.0.1 on a free port.
//
// DynamoDB Local (3.x) has no host option: DynamoDBProxyServer builds `new org.eclipse.jetty.server.Server(port)`,
// whose connector listens on every interface, and its -port must be 1..65535 (no 0 for "any free port").
// This launcher lets ServerRunner parse the usual command line, then, before starting Jetty, points the
// connector at 127.0.0.1 and at the port in the system property `loopback.port` (default 0: any free port), and
// prints the port it got as `DYNAMODB_LOCAL_LISTENING <port>`.
// It exits when its stdin closes, so a parent that dies never leaves a JVM behind.
//
// Run as a single-file source program (Java 11+; needs a JDK):
//   java -Djava.library.path=<lib>/DynamoDBLocal_lib [-Dloopback.port=N] -cp <lib>/DynamoDBLocal.jar LoopbackDynamoDbLocal.java
//        -inMemory -sharedDb -disableTelemetry -port 8000
import java.io.InputStream;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class LoopbackDynamoDbLocal {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    ServerConnector connector = null;
    for (Connector candidate : jetty.getConnectors()) {
      if (candidate instanceof ServerConnector) {
        connector = (ServerConnector) candidate;
        connector.setHost("127.0.0.1");
        connector.setPort(Integer.getInteger("loopback.port", 0));
      }
    }
    if (connector == null) {
      throw new IllegalStateException("DynamoDB Local has no ServerConnector to bind to 127.0.0.1");
    }
    exitWhenStdinCloses();
    jetty.start();
    System.out.println("DYNAMODB_LOCAL_LISTENING " + connector.getLocalPort());
    System.out.flush();
    jetty.join();
  }

  private static void exitWhenStdinCloses() {
    Thread watcher = new Thread(() -> {
      try {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        while (in.read(buffer) != -1) {
          // Ignore input; only end-of-stream matters.
        }
      } catch (Exception ignored) {
        // A broken pipe means the parent is gone too.
      }
      System.exit(0);
    }, "stdin-watcher");
    watcher.setDaemon(true);
    watcher.start();
  }
}
