# Runs the corpus against the embedded pop3refd and validates the JUnit report.
# cmake -DPOP3SPEC=... -DOUT=dir -DSCHEMA=junit-10.xsd -DBASELINE=file "-DSELECT=--max-wait;30" -P run_suite.cmake
# SELECT: the quick part (--max-wait 30) or the long idle checks (--min-wait 30, more jobs).
file(MAKE_DIRECTORY ${OUT})
execute_process(COMMAND ${POP3SPEC} run --strict ${SELECT} --baseline ${BASELINE} --junit ${OUT}/junit.xml --json ${OUT}/results.json
                RESULT_VARIABLE run_status)
if(NOT run_status EQUAL 0)
  message(FATAL_ERROR "pop3spec run exited with ${run_status}: the corpus must pass against pop3refd")
endif()
execute_process(COMMAND xmllint --noout --schema ${SCHEMA} ${OUT}/junit.xml RESULT_VARIABLE xml_status)
if(NOT xml_status EQUAL 0)
  message(FATAL_ERROR "the JUnit report does not validate against ${SCHEMA}")
endif()
