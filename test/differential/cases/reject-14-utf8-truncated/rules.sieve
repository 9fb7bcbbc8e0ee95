require "reject";
reject "Ünïcödé ÜnÏcödé Ünïcödé ÜnÏcödé Ünïcödé ÜnÏcödé Ünïcödé ÜnÏcödé Ünïcödé ÜnÏcödé Ünïcödé ÜnÏcödé Ünïcödé ÜnÏcödé Ünïcödé";
