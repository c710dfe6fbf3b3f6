# Runs the whole corpus against the embedded pop3refd and validates the JUnit report.
# cmake -DPOP3SPEC=... -DOUT=dir -DSCHEMA=junit-10.xsd -P run_suite.cmake
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${POP3SPEC} run --jobs 2 --strict --max-wait 30 --baseline ${BASELINE} --junit ${OUT}/junit.xml --json ${OUT}/results.json
                RESULT_VARIABLE run_status)
if(NOT run_status EQUAL 0)
  message(FATAL_ERROR "pop3spec run exited with ${run_status}: the corpus must pass against pop3refd")
endif()
execute_process(COMMAND xmllint --noout --schema ${SCHEMA} ${OUT}/junit.xml RESULT_VARIABLE xml_status)
if(NOT xml_status EQUAL 0)
  message(FATAL_ERROR "the JUnit report does not validate against ${SCHEMA}")
endif()
