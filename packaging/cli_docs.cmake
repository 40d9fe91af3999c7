# The CLI's man pages (help2man, from each command's --help) and its bash completion script
# (`supernet completion bash`), generated from the built executable so they always match it.
set(wb_doc_dir ${CMAKE_CURRENT_BINARY_DIR}/cli-docs)
set(wb_completion ${wb_doc_dir}/supernet.bash)
add_custom_command(
  OUTPUT ${wb_completion}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${wb_doc_dir}
  COMMAND $<TARGET_FILE:supernet> completion bash > ${wb_completion}
  DEPENDS supernet
  COMMENT "Generating the bash completion of supernet")
set(wb_docs ${wb_completion})
install(FILES ${wb_completion} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME supernet)

find_program(WB_HELP2MAN help2man)
if(WB_HELP2MAN)
  # supernet(1), and supernet-COMMAND(1) for each command (git's convention).
  set(wb_commands search train pretrain transfer experiment runs zoo distance bench suite
      workspace worker queue workers genotype completion)
  set(wb_pages supernet)
  foreach(command ${wb_commands})
    list(APPEND wb_pages supernet-${command})
  endforeach()
  foreach(page ${wb_pages})
    string(REPLACE "supernet-" "" command ${page})
    if(page STREQUAL "supernet")
      set(help_option --help)
      set(name "differentiable NAS with supernet transfer")
    else()
      set(help_option "${command} --help")
      set(name "supernet ${command}")
    endif()
    add_custom_command(
      OUTPUT ${wb_doc_dir}/${page}.1
      COMMAND ${CMAKE_COMMAND} -E make_directory ${wb_doc_dir}
      COMMAND ${WB_HELP2MAN} --no-info --no-discard-stderr "--name=${name}"
              "--help-option=${help_option}" --version-option=--version
              --output=${wb_doc_dir}/${page}.1 $<TARGET_FILE:supernet>
      DEPENDS supernet
      COMMENT "Generating the man page ${page}(1)")
    list(APPEND wb_docs ${wb_doc_dir}/${page}.1)
    install(FILES ${wb_doc_dir}/${page}.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  endforeach()
else()
  message(STATUS "help2man not found: no man pages (packaging/install-deps.sh installs it)")
endif()
add_custom_target(cli_docs ALL DEPENDS ${wb_docs})
