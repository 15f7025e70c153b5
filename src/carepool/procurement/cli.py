"""`carepool tender ...`"""

import typer

app = typer.Typer(help="Collaborative procurement: award, OCDS.", no_args_is_help=True)
