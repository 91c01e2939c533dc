"""What index/, assistant/ and evals/ share to talk to a language model: the client and the prompt files."""
