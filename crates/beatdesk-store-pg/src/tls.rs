//! TLS to a store that is not on this machine, with rustls (the TLS stack
//! the rest of Beatdesk already builds: reqwest with aws-lc-rs), through
//! `tokio-postgres-rustls`, which also gives SCRAM channel binding.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use crate::address::Roots;
use crate::error::{PgStoreError, Result};

/// A connector that verifies the server's chain against `roots`, and its
/// name when `check_name` (verify-full).
pub fn connector(roots: &Roots, check_name: bool) -> Result<MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let store = Arc::new(root_store(roots)?);
    let verifier = WebPkiServerVerifier::builder_with_provider(store, provider.clone())
        .build()
        .map_err(|e| PgStoreError::Tls(format!("certificate verifier: {e}")))?;
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| PgStoreError::Tls(e.to_string()))?;
    let config = if check_name {
        builder.with_webpki_verifier(verifier).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(ChainOnly(verifier)))
            .with_no_client_auth()
    };
    Ok(MakeRustlsConnect::new(config))
}

fn root_store(roots: &Roots) -> Result<RootCertStore> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(PgStoreError::Tls(
                    "no CA certificates found on this system: give sslrootcert=PATH".into(),
                ));
            }
        }
        Roots::File(path) => {
            let name = path.display();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| PgStoreError::Tls(format!("sslrootcert {name}: {e}")))?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| PgStoreError::Tls(format!("sslrootcert {name}: {e}")))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(PgStoreError::Tls(format!(
                    "sslrootcert {name}: no CA certificate in the file"
                )));
            }
        }
    }
    Ok(store)
}

/// `require`/`verify-ca`: the chain must verify, the name need not match
/// (a server reached by an address its certificate does not list).
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_roots_load_and_a_file_without_a_certificate_is_named() {
        connector(&Roots::System, true).expect("this machine has CA certificates");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = connector(&Roots::File(empty.clone()), true).err().unwrap();
        assert_eq!(err.code(), "store_tls");
        assert!(err.to_string().contains("no CA certificate"), "{err}");
        assert!(
            err.to_string().contains(&empty.display().to_string()),
            "{err}"
        );
    }
}
