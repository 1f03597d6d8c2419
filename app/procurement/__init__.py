"""统采分签 (the Opinions, P.2–P.4): solicitation rounds, procurement results and district contracts."""
