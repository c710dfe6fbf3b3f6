// generate_self_signed_certificate(): OpenSSL 3 EVP/X509 calls, resources held in unique_ptrs.
#include "pop3/harness/net/certificate.hpp"

#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace pop3::harness {
namespace {

template <auto Free>
struct deleter {
  template <typename T>
  void operator()(T* p) const noexcept { Free(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509_free>>;
using bio_ptr = std::unique_ptr<BIO, deleter<BIO_free_all>>;
using name_ptr = std::unique_ptr<X509_NAME, deleter<X509_NAME_free>>;
using extension_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION_free>>;
using bignum_ptr = std::unique_ptr<BIGNUM, deleter<BN_free>>;

[[noreturn]] void fail(const std::string& step) {
  std::string detail(256, '\0');
  ERR_error_string_n(ERR_get_error(), detail.data(), detail.size());
  throw std::runtime_error("cannot generate the TLS certificate (" + step + "): " + detail.c_str());
}

void check(bool ok, const char* step) {
  if (!ok) fail(step);
}

void add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  extension_ptr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  check(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "extension");
}

void write_pem(const std::filesystem::path& path, const char* mode, auto&& writer) {
  bio_ptr bio(BIO_new_file(path.c_str(), mode));
  check(bio != nullptr, "open output file");
  check(writer(bio.get()) == 1, "write PEM");
}

}  // namespace

certificate_files generate_self_signed_certificate(const std::filesystem::path& dir) {
  pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  check(key != nullptr, "key generation");

  x509_ptr cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), 2) == 1, "version");  // v3, for extensions
  bignum_ptr serial(BN_new());
  check(serial && BN_rand(serial.get(), 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1 &&
            BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) != nullptr,
        "serial");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600) != nullptr,
        "validity");
  name_ptr name(X509_NAME_new());
  const std::string common_name = "localhost";
  check(name && X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                                           reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                                           0) == 1,
        "subject");
  check(X509_set_subject_name(cert.get(), name.get()) == 1 && X509_set_issuer_name(cert.get(), name.get()) == 1,
        "names");
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "public key");
  // Its own trust anchor: clients load it with --ca, so it is a CA that may also serve TLS.
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

  certificate_files files{dir / "cert.pem", dir / "key.pem"};
  write_pem(files.key, "w", [&](BIO* bio) {
    return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  std::filesystem::permissions(files.key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  write_pem(files.cert, "w", [&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); });
  return files;
}

}  // namespace pop3::harness
