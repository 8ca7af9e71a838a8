package io.github.pooledtransport.core;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal in-JVM SOCKS5 proxy on loopback (RFC 1928, CONNECT only), with optional user name and password
 * authentication (RFC 1929). It records the methods each client offered and every CONNECT request (address
 * type, address, port), resolves domain names (address type 3) from a fixed table, and relays bytes between
 * client and target until either side closes.
 */
final class Socks5TestServer implements AutoCloseable {

    /** A CONNECT request as the proxy read it. */
    record ConnectRequest(int addressType, String address, int port) {
    }

    private final ServerSocket serverSocket;

    private final String username;

    private final String password;

    private final Map<String, InetAddress> names;

    private final AtomicInteger connections = new AtomicInteger();

    private final List<List<Integer>> offeredMethods = new CopyOnWriteArrayList<>();

    private final List<ConnectRequest> connects = new CopyOnWriteArrayList<>();

    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    /**
     * @param username the required user name, or {@code null} to require no authentication
     * @param password the required password
     * @param names what domain names in CONNECT requests resolve to
     */
    Socks5TestServer(String username, String password, Map<String, InetAddress> names) throws IOException {
        this.serverSocket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        this.username = username;
        this.password = password;
        this.names = Map.copyOf(names);
        Thread acceptor = new Thread(this::acceptLoop, "socks5-test-server-" + port());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return this.serverSocket.getLocalPort();
    }

    /** @return TCP connections accepted so far */
    int connections() {
        return this.connections.get();
    }

    /** @return the authentication methods offered by each client, in arrival order */
    List<List<Integer>> offeredMethods() {
        return List.copyOf(this.offeredMethods);
    }

    /** @return every CONNECT request read so far, in order */
    List<ConnectRequest> connects() {
        return List.copyOf(this.connects);
    }

    /** @return errors other than a client hanging up */
    List<Throwable> failures() {
        return List.copyOf(this.failures);
    }

    private void acceptLoop() {
        while (!this.serverSocket.isClosed()) {
            try {
                Socket socket = this.serverSocket.accept();
                this.connections.incrementAndGet();
                this.sockets.add(socket);
                Thread handler = new Thread(() -> serve(socket), "socks5-test-session");
                handler.setDaemon(true);
                handler.start();
            }
            catch (IOException ex) {
                return; // closed
            }
        }
    }

    private void serve(Socket client) {
        try {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                client.close();
                return;
            }
            int count = in.readUnsignedByte();
            List<Integer> methods = new java.util.ArrayList<>();
            for (int i = 0; i < count; i++) {
                methods.add(in.readUnsignedByte());
            }
            this.offeredMethods.add(List.copyOf(methods));
            int required = (this.username != null) ? 2 : 0;
            if (!methods.contains(required)) {
                out.write(new byte[] { 5, (byte) 0xFF });
                out.flush();
                client.close();
                return;
            }
            out.write(new byte[] { 5, (byte) required });
            out.flush();
            if (required == 2 && !authenticate(in, out)) {
                client.close();
                return;
            }
            ConnectRequest request = readConnect(in);
            this.connects.add(request);
            Socket target;
            try {
                InetAddress address = (request.addressType() == 3) ? this.names.get(request.address())
                        : InetAddress.getByName(request.address());
                if (address == null) {
                    throw new IOException("unknown name " + request.address());
                }
                target = new Socket();
                target.connect(new InetSocketAddress(address, request.port()), 5000);
            }
            catch (IOException ex) {
                out.write(new byte[] { 5, 4, 0, 1, 0, 0, 0, 0, 0, 0 }); // host unreachable
                out.flush();
                client.close();
                return;
            }
            this.sockets.add(target);
            byte[] bound = ((Inet4Address) target.getLocalAddress()).getAddress();
            int boundPort = target.getLocalPort();
            out.write(new byte[] { 5, 0, 0, 1, bound[0], bound[1], bound[2], bound[3], (byte) (boundPort >> 8),
                    (byte) boundPort });
            out.flush();
            Thread upstream = new Thread(() -> relay(in, target), "socks5-test-relay-up");
            upstream.setDaemon(true);
            upstream.start();
            relay(target.getInputStream(), client);
        }
        catch (IOException ex) {
            // the client hung up
        }
        catch (RuntimeException ex) {
            this.failures.add(ex);
        }
    }

    private boolean authenticate(DataInputStream in, OutputStream out) throws IOException {
        if (in.readUnsignedByte() != 1) {
            return false;
        }
        String user = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
        String pass = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
        boolean ok = user.equals(this.username) && pass.equals(this.password);
        out.write(new byte[] { 1, (byte) (ok ? 0 : 1) });
        out.flush();
        return ok;
    }

    private static ConnectRequest readConnect(DataInputStream in) throws IOException {
        if (in.readUnsignedByte() != 5 || in.readUnsignedByte() != 1) {
            throw new IOException("not a SOCKS5 CONNECT request");
        }
        in.readUnsignedByte(); // reserved
        int type = in.readUnsignedByte();
        String address = switch (type) {
            case 1 -> InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            case 4 -> InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
            case 3 -> new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
            default -> throw new IOException("address type " + type);
        };
        int port = in.readUnsignedShort();
        return new ConnectRequest(type, address, port);
    }

    private static void relay(InputStream from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = from.read(buffer)) != -1) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        }
        catch (IOException ex) {
            // either side closed
        }
    }

    @Override
    public void close() throws IOException {
        this.serverSocket.close();
        for (Socket socket : this.sockets) {
            PoolTestSupport.closeQuietly(socket);
        }
    }
}
