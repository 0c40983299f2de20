#compdef om

_om_completion() {
  eval $(env _TYPER_COMPLETE_ARGS="${words[1,$CURRENT]}" _OM_COMPLETE=complete_zsh om)
}

compdef _om_completion om
