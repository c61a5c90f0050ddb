package dev.uvpv.redis;

import redis.clients.jedis.DefaultJedisClientConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;

/**
 * TLS for the sink's connections: the server's certificate is checked against the CA certificates of a
 * PEM file (or the JVM's when there is none), and its name against the host connected to (a name or an
 * IP address in the certificate's subjectAltName), unless {@code tls.verify-peer} is false, which
 * accepts any certificate: encrypted, but open to a man in the middle.
 */
final class RedisTls {
    private RedisTls() {}

    static void configure(DefaultJedisClientConfig.Builder config, RedisConnectionConfig.Tls tls, String caOption)
            throws IOException {
        config.ssl(true);
        if (!tls.verifyPeer) {
            config.sslSocketFactory(context(new TrustManager[] {new TrustAll()}).getSocketFactory());
            return;
        }
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the host name or IP address, as HTTPS checks it
        config.sslParameters(parameters);
        if (tls.caFile != null) {
            config.sslSocketFactory(trusting(tls.caFile, caOption));
        }
    }

    /** A socket factory that trusts exactly the CA certificates of the PEM file. */
    private static SSLSocketFactory trusting(String caFile, String caOption) throws IOException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(Path.of(caFile))) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException(String.format("Cannot read the CA certificates of option '%s' from %s: %s",
                    caOption, caFile, e), e);
        }
        if (certificates.isEmpty()) {
            throw new IOException(String.format(
                    "Option '%s' names %s, which holds no PEM certificate (-----BEGIN CERTIFICATE-----).", caOption, caFile));
        }
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("ca-" + n++, c);
            }
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            return context(trust.getTrustManagers()).getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IOException(String.format("Cannot use the CA certificates of option '%s' (%s): %s", caOption, caFile, e), e);
        }
    }

    private static SSLContext context(TrustManager[] trust) throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot set up TLS: " + e, e);
        }
    }

    /** {@code tls.verify-peer} = false: any certificate, any name. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
