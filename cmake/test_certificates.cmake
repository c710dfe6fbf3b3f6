# A self-signed TLS certificate for the tests, generated once per build tree at configure time
# (SAN DNS:localhost, IP:127.0.0.1; EC P-256 so handshakes stay cheap).
# Provides POP3SPEC_TEST_CERT_FILE / POP3SPEC_TEST_KEY_FILE and the INTERFACE target
# pop3spec::test_certificates, which passes both paths to C++ as compile definitions
# (read them through tests/common/include/pop3/testing/test_certificates.hpp).
# Safe to include from several directories: each gets the variables, the target is made once.

set(POP3SPEC_TEST_CERT_DIR ${PROJECT_BINARY_DIR}/test-certificates)
set(POP3SPEC_TEST_CERT_FILE ${POP3SPEC_TEST_CERT_DIR}/localhost-cert.pem)
set(POP3SPEC_TEST_KEY_FILE ${POP3SPEC_TEST_CERT_DIR}/localhost-key.pem)

if(NOT EXISTS ${POP3SPEC_TEST_CERT_FILE} OR NOT EXISTS ${POP3SPEC_TEST_KEY_FILE})
  find_program(POP3SPEC_OPENSSL_PROGRAM openssl REQUIRED)
  file(MAKE_DIRECTORY ${POP3SPEC_TEST_CERT_DIR})
  execute_process(
    COMMAND ${POP3SPEC_OPENSSL_PROGRAM} req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
            -days 3650 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1
            -keyout ${POP3SPEC_TEST_KEY_FILE} -out ${POP3SPEC_TEST_CERT_FILE}
    RESULT_VARIABLE openssl_result
    OUTPUT_VARIABLE openssl_output
    ERROR_VARIABLE openssl_output)
  if(NOT openssl_result EQUAL 0)
    file(REMOVE ${POP3SPEC_TEST_CERT_FILE} ${POP3SPEC_TEST_KEY_FILE})
    message(FATAL_ERROR "Generating the test certificate failed:\n${openssl_output}")
  endif()
endif()

if(NOT TARGET pop3spec_test_certificates)
  add_library(pop3spec_test_certificates INTERFACE)
  add_library(pop3spec::test_certificates ALIAS pop3spec_test_certificates)
  target_compile_definitions(pop3spec_test_certificates INTERFACE
    POP3SPEC_TEST_CERT_FILE="${POP3SPEC_TEST_CERT_FILE}" POP3SPEC_TEST_KEY_FILE="${POP3SPEC_TEST_KEY_FILE}")
endif()
