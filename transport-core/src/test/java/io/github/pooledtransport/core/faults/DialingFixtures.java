package io.github.pooledtransport.core.faults;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;


import io.github.pooledtransport.core.HostKey;
import io.github.pooledtransport.core.TransportListener;

/**
 * What the dialing fault tests share (TLS material is in {@link FaultCertificates}): a loopback server that only accepts
 * (so a test can see whether the client closed what it opened), and a listener that records event names.
 */
final class DialingFixtures {

    static final InetAddress LOOPBACK = loopback();

    private DialingFixtures() {
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName("127.0.0.1");
        }
        catch (UnknownHostException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Accepts connections on 127.0.0.1 and keeps them, saying nothing. */
    static final class AcceptingServer implements AutoCloseable {

        private final ServerSocket serverSocket;

        private final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();

        private final Thread acceptor;

        AcceptingServer() throws IOException {
            this.serverSocket = new ServerSocket();
            this.serverSocket.bind(new InetSocketAddress(LOOPBACK, 0));
            this.acceptor = new Thread(this::acceptLoop, "accepting-server");
            this.acceptor.setDaemon(true);
            this.acceptor.start();
        }

        int port() {
            return this.serverSocket.getLocalPort();
        }

        private void acceptLoop() {
            while (!this.serverSocket.isClosed()) {
                try {
                    this.accepted.add(this.serverSocket.accept());
                }
                catch (IOException ex) {
                    return;
                }
            }
        }

        /** @return the next connection the client made, waiting at most 5 s */
        Socket nextAccepted() throws InterruptedException {
            Socket socket = this.accepted.poll(5, TimeUnit.SECONDS);
            if (socket == null) {
                throw new AssertionError("the client never connected");
            }
            return socket;
        }

        /**
         * @return whether the client closed the connection: end of stream or a reset within 5 s, skipping
         *     whatever it sent first (a TLS client hello, for instance)
         */
        static boolean closedByClient(Socket socket) throws IOException {
            socket.setSoTimeout(5_000);
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                for (int i = 0; i < 64; i++) {
                    if (in.read(buffer) == -1) {
                        return true;
                    }
                }
                return false;
            }
            catch (SocketTimeoutException ex) {
                return false;
            }
            catch (SocketException ex) {
                return true; // reset by the client: closed too
            }
        }

        @Override
        public void close() throws IOException {
            this.serverSocket.close();
            for (Socket socket : this.accepted) {
                socket.close();
            }
        }
    }

    /** Records the names of dialing events in order. */
    static final class DialEvents implements TransportListener {

        final List<String> names = new CopyOnWriteArrayList<>();

        final List<IOException> errors = new CopyOnWriteArrayList<>();

        long count(String name) {
            return this.names.stream().filter(name::equals).count();
        }

        @Override
        public void dnsStart(String host) {
            this.names.add("dnsStart");
        }

        @Override
        public void dnsDone(String host, List<InetAddress> addresses, IOException error) {
            this.names.add("dnsDone");
            record(error);
        }

        @Override
        public void connectStart(InetSocketAddress address) {
            this.names.add("connectStart");
        }

        @Override
        public void connectDone(InetSocketAddress address, IOException error) {
            this.names.add("connectDone");
            record(error);
        }

        @Override
        public void tlsHandshakeStart(HostKey key) {
            this.names.add("tlsHandshakeStart");
        }

        @Override
        public void tlsHandshakeDone(HostKey key, String protocol, String cipherSuite, IOException error) {
            this.names.add("tlsHandshakeDone");
            record(error);
        }

        private void record(IOException error) {
            if (error != null) {
                this.errors.add(error);
            }
        }
    }

    /**
     * A loopback listener that never accepts and whose backlog is full: Linux drops further SYNs, so a connect
     * to it stalls until it gives up.
     */
    static final class FullBacklog implements AutoCloseable {

        private final ServerSocket listener;

        private final List<Socket> queued = new ArrayList<>();

        FullBacklog() throws IOException {
            this(new InetSocketAddress("127.0.0.1", 0));
        }

        /** @param address where to listen: any loopback address and port, {@code [::1]} too */
        FullBacklog(InetSocketAddress address) throws IOException {
            this.listener = new ServerSocket();
            this.listener.bind(address, 1);
            for (int i = 0; i < 8; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(this.listener.getLocalSocketAddress(), 200);
                    this.queued.add(socket);
                }
                catch (IOException ex) {
                    socket.close();
                    return; // the backlog is full: this connect was dropped
                }
            }
            throw new IllegalStateException("the backlog never filled");
        }

        int port() {
            return this.listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : this.queued) {
                socket.close();
            }
            this.listener.close();
        }
    }
}
